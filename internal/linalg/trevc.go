// Dtrevc3 below is gonum v0.17's Dtrevc3 (gonum.org/v1/gonum/lapack/gonum,
// dtrevc3.go), under this notice:
//
// Copyright ©2016 The Gonum Authors. All rights reserved.
//
// Redistribution and use in source and binary forms, with or without
// modification, are permitted provided that the following conditions are met:
//   - Redistributions of source code must retain the above copyright
//     notice, this list of conditions and the following disclaimer.
//   - Redistributions in binary form must reproduce the above copyright
//     notice, this list of conditions and the following disclaimer in the
//     documentation and/or other materials provided with the distribution.
//   - Neither the name of the Gonum project nor the names of its authors and
//     contributors may be used to endorse or promote products derived from this
//     software without specific prior written permission.
//
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
// ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
// WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
// DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
// FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
// DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
// SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
// CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
// OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
// OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
//
// What changed, and why: gonum's row-major port reads T's columns with
// stride ldt in both back substitutions (Daxpy for the right vectors, Ddot
// for the left ones): at N = 1024 those strided reads were two thirds of
// Dtrevc3's time, about 0.9 s of FullModes' 3.2 s. Dtrevc3 below is the
// unblocked path (nb = 1: geev's workspace of 3N, see stability's geev) for
// all vectors (EVAll or EVAllMulQ, no selection) with every column of T read
// from a transposed copy, where it is a row: the same Daxpy and Ddot calls on
// the same values in the same order (gonum's Daxpy is elementwise, and its
// Ddot with one stride not 1 is the same DotInc whichever of the two is),
// so the same bits. The rest is gonum's code, argument checks shortened.

package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// Dtrevc3 is gonum's Dtrevc3 (lapack.EVRight, EVLeft or EVBoth; howmny
// lapack.EVAll or EVAllMulQ) on its unblocked path, faster for large n: T's
// columns are read as rows of a transposed copy, with the same bits. With
// EVAllMulQ and more than TrevcMulMin rows the back-transformation is one
// product Q X by MulNN (X the triangular matrix of T's eigenvectors) where
// Dtrevc3 forms Q x by Dgemv a vector at a time: the same terms summed in
// another order, so last bits may move. work must hold TrevcWork(n, howmny)
// values; it is written before it is read.
func Dtrevc3(side lapack.EVSide, howmny lapack.EVHowMany, n int, t []float64, ldt int, vl []float64, ldvl int, vr []float64, ldvr int, work []float64) {
	rightv := side == lapack.EVRight || side == lapack.EVBoth
	leftv := side == lapack.EVLeft || side == lapack.EVBoth
	switch {
	case !rightv && !leftv:
		panic("linalg: Dtrevc3: bad side")
	case howmny != lapack.EVAll && howmny != lapack.EVAllMulQ:
		panic("linalg: Dtrevc3: howmny must be EVAll or EVAllMulQ")
	case ldt < max(1, n) || len(t) < (n-1)*ldt+n && n > 0:
		panic("linalg: Dtrevc3: bad T")
	case len(work) < TrevcWork(n, howmny):
		panic("linalg: Dtrevc3: short work")
	case leftv && n > 0 && (ldvl < n || len(vl) < (n-1)*ldvl+n):
		panic("linalg: Dtrevc3: bad VL")
	case rightv && n > 0 && (ldvr < n || len(vr) < (n-1)*ldvr+n):
		panic("linalg: Dtrevc3: bad VR")
	}
	if n == 0 {
		return
	}
	impl := lapackgonum.Implementation{}
	bi := blas64.Implementation()

	// Set the constants to control overflow.
	const (
		ulp    = 0x1p-52   // dlamchP
		safmin = 0x1p-1022 // dlamchS
	)
	smlnum := float64(n) / ulp * safmin
	bignum := (1 - ulp) / smlnum

	// Split work into a vector of column norms, an n×2 matrix b and tt,
	// the transpose of T: tt[j*n+i] = T[i,j].
	norms := work[:n]
	const ldb = 2
	b := work[n : 3*n]
	tt := work[3*n : 3*n+n*n]
	// With mul, the eigenvectors of T go to the columns of xs (right: upper
	// triangular; left: lower) and Q xs to prod.
	mul := howmny == lapack.EVAllMulQ && n > TrevcMulMin
	var xs, prod []float64
	if mul {
		xs, prod = work[3*n+n*n:3*n+2*n*n], work[3*n+2*n*n:3*n+3*n*n]
	}
	for i := 0; i < n; i++ {
		for j, v := range t[i*ldt : i*ldt+n] {
			tt[j*n+i] = v
		}
	}

	// Compute 1-norm of each column of strictly upper triangular part of T
	// to control overflow in triangular solver.
	norms[0] = 0
	for j := 1; j < n; j++ {
		var cn float64
		for _, v := range tt[j*n : j*n+j] {
			cn += math.Abs(v)
		}
		norms[j] = cn
	}

	var x [4]float64
	// ip is used below to specify the real or complex eigenvalue:
	//  ip == 0, real eigenvalue,
	//        1, first  of conjugate complex pair (wr,wi),
	//       -1, second of conjugate complex pair (wr,wi).
	var ip int

	if rightv {
		// Compute right eigenvectors.
		// For complex right vector, iv-1 is for real part and iv for
		// complex part; the unblocked version always uses iv=1.
		const iv = 1
		ip = 0
		for ki := n - 1; ki >= 0; ki-- {
			if ip == -1 {
				// Previous iteration (ki+1) was second of
				// conjugate pair, so this ki is first of
				// conjugate pair.
				ip = 1
				continue
			}
			if ki == 0 || t[ki*ldt+ki-1] == 0 {
				// Last column or zero on sub-diagonal, so this
				// ki must be real eigenvalue.
				ip = 0
			} else {
				// Non-zero on sub-diagonal, so this ki is
				// second of conjugate pair.
				ip = -1
			}

			// Compute the ki-th eigenvalue (wr,wi).
			wr := t[ki*ldt+ki]
			var wi float64
			if ip != 0 {
				wi = math.Sqrt(math.Abs(t[ki*ldt+ki-1])) * math.Sqrt(math.Abs(t[(ki-1)*ldt+ki]))
			}
			smin := math.Max(ulp*(math.Abs(wr)+math.Abs(wi)), smlnum)

			if ip == 0 {
				// Real right eigenvector.
				b[ki*ldb+iv] = 1
				// Form right-hand side.
				for k := 0; k < ki; k++ {
					b[k*ldb+iv] = -tt[ki*n+k]
				}
				// Solve upper quasi-triangular system:
				//  [ T[0:ki,0:ki] - wr ]*X = scale*b.
				for j := ki - 1; j >= 0; {
					if j == 0 || t[j*ldt+j-1] == 0 {
						// 1×1 diagonal block.
						scale, xnorm, _ := impl.Dlaln2(false, 1, 1, smin, 1, t[j*ldt+j:], ldt,
							1, 1, b[j*ldb+iv:], ldb, wr, 0, x[:1], 2)
						// Scale X[0,0] to avoid overflow when updating the
						// right-hand side.
						if xnorm > 1 && norms[j] > bignum/xnorm {
							x[0] /= xnorm
							scale /= xnorm
						}
						// Scale if necessary.
						if scale != 1 {
							bi.Dscal(ki+1, scale, b[iv:], ldb)
						}
						b[j*ldb+iv] = x[0]
						// Update right-hand side.
						bi.Daxpy(j, -x[0], tt[j*n:], 1, b[iv:], ldb)
						j--
					} else {
						// 2×2 diagonal block.
						scale, xnorm, _ := impl.Dlaln2(false, 2, 1, smin, 1, t[(j-1)*ldt+j-1:], ldt,
							1, 1, b[(j-1)*ldb+iv:], ldb, wr, 0, x[:3], 2)
						// Scale X[0,0] and X[1,0] to avoid overflow
						// when updating the right-hand side.
						if xnorm > 1 {
							beta := math.Max(norms[j-1], norms[j])
							if beta > bignum/xnorm {
								x[0] /= xnorm
								x[2] /= xnorm
								scale /= xnorm
							}
						}
						// Scale if necessary.
						if scale != 1 {
							bi.Dscal(ki+1, scale, b[iv:], ldb)
						}
						b[(j-1)*ldb+iv] = x[0]
						b[j*ldb+iv] = x[2]
						// Update right-hand side.
						bi.Daxpy(j-1, -x[0], tt[(j-1)*n:], 1, b[iv:], ldb)
						bi.Daxpy(j-1, -x[2], tt[j*n:], 1, b[iv:], ldb)
						j -= 2
					}
				}
				// Copy the vector x or Q*x to VR and normalize.
				switch {
				case mul:
					for k := 0; k < n; k++ {
						xs[k*n+ki] = 0
						if k <= ki {
							xs[k*n+ki] = b[k*ldb+iv]
						}
					}
				case howmny != lapack.EVAllMulQ:
					// No back-transform: copy x to VR and normalize.
					bi.Dcopy(ki+1, b[iv:], ldb, vr[ki:], ldvr)
					ii := bi.Idamax(ki+1, vr[ki:], ldvr)
					remax := 1 / math.Abs(vr[ii*ldvr+ki])
					bi.Dscal(ki+1, remax, vr[ki:], ldvr)
					for k := ki + 1; k < n; k++ {
						vr[k*ldvr+ki] = 0
					}
				default:
					// Version 1: back-transform each vector with GEMV, Q*x.
					if ki > 0 {
						bi.Dgemv(blas.NoTrans, n, ki, 1, vr, ldvr, b[iv:], ldb,
							b[ki*ldb+iv], vr[ki:], ldvr)
					}
					ii := bi.Idamax(n, vr[ki:], ldvr)
					remax := 1 / math.Abs(vr[ii*ldvr+ki])
					bi.Dscal(n, remax, vr[ki:], ldvr)
				}
				continue
			}

			// Complex right eigenvector.

			// Initial solve
			//  [ ( T[ki-1,ki-1] T[ki-1,ki] ) - (wr + i*wi) ]*X = 0.
			//  [ ( T[ki,  ki-1] T[ki,  ki] )               ]
			if math.Abs(t[(ki-1)*ldt+ki]) >= math.Abs(t[ki*ldt+ki-1]) {
				b[(ki-1)*ldb+iv-1] = 1
				b[ki*ldb+iv] = wi / t[(ki-1)*ldt+ki]
			} else {
				b[(ki-1)*ldb+iv-1] = -wi / t[ki*ldt+ki-1]
				b[ki*ldb+iv] = 1
			}
			b[ki*ldb+iv-1] = 0
			b[(ki-1)*ldb+iv] = 0
			// Form right-hand side.
			for k := 0; k < ki-1; k++ {
				b[k*ldb+iv-1] = -b[(ki-1)*ldb+iv-1] * tt[(ki-1)*n+k]
				b[k*ldb+iv] = -b[ki*ldb+iv] * tt[ki*n+k]
			}
			// Solve upper quasi-triangular system:
			//  [ T[0:ki-1,0:ki-1] - (wr+i*wi) ]*X = scale*(b1+i*b2)
			for j := ki - 2; j >= 0; {
				if j == 0 || t[j*ldt+j-1] == 0 {
					// 1×1 diagonal block.
					scale, xnorm, _ := impl.Dlaln2(false, 1, 2, smin, 1, t[j*ldt+j:], ldt,
						1, 1, b[j*ldb+iv-1:], ldb, wr, wi, x[:2], 2)
					// Scale X[0,0] and X[0,1] to avoid
					// overflow when updating the right-hand side.
					if xnorm > 1 && norms[j] > bignum/xnorm {
						x[0] /= xnorm
						x[1] /= xnorm
						scale /= xnorm
					}
					// Scale if necessary.
					if scale != 1 {
						bi.Dscal(ki+1, scale, b[iv-1:], ldb)
						bi.Dscal(ki+1, scale, b[iv:], ldb)
					}
					b[j*ldb+iv-1] = x[0]
					b[j*ldb+iv] = x[1]
					// Update the right-hand side.
					bi.Daxpy(j, -x[0], tt[j*n:], 1, b[iv-1:], ldb)
					bi.Daxpy(j, -x[1], tt[j*n:], 1, b[iv:], ldb)
					j--
				} else {
					// 2×2 diagonal block.
					scale, xnorm, _ := impl.Dlaln2(false, 2, 2, smin, 1, t[(j-1)*ldt+j-1:], ldt,
						1, 1, b[(j-1)*ldb+iv-1:], ldb, wr, wi, x[:], 2)
					// Scale X to avoid overflow when updating
					// the right-hand side.
					if xnorm > 1 {
						beta := math.Max(norms[j-1], norms[j])
						if beta > bignum/xnorm {
							rec := 1 / xnorm
							x[0] *= rec
							x[1] *= rec
							x[2] *= rec
							x[3] *= rec
							scale *= rec
						}
					}
					// Scale if necessary.
					if scale != 1 {
						bi.Dscal(ki+1, scale, b[iv-1:], ldb)
						bi.Dscal(ki+1, scale, b[iv:], ldb)
					}
					b[(j-1)*ldb+iv-1] = x[0]
					b[(j-1)*ldb+iv] = x[1]
					b[j*ldb+iv-1] = x[2]
					b[j*ldb+iv] = x[3]
					// Update the right-hand side.
					bi.Daxpy(j-1, -x[0], tt[(j-1)*n:], 1, b[iv-1:], ldb)
					bi.Daxpy(j-1, -x[1], tt[(j-1)*n:], 1, b[iv:], ldb)
					bi.Daxpy(j-1, -x[2], tt[j*n:], 1, b[iv-1:], ldb)
					bi.Daxpy(j-1, -x[3], tt[j*n:], 1, b[iv:], ldb)
					j -= 2
				}
			}

			// Copy the vector x or Q*x to VR and normalize.
			switch {
			case mul:
				for k := 0; k < n; k++ {
					xs[k*n+ki-1], xs[k*n+ki] = 0, 0
					if k <= ki {
						xs[k*n+ki-1], xs[k*n+ki] = b[k*ldb+iv-1], b[k*ldb+iv]
					}
				}
			case howmny != lapack.EVAllMulQ:
				// No back-transform: copy x to VR and normalize.
				bi.Dcopy(ki+1, b[iv-1:], ldb, vr[ki-1:], ldvr)
				bi.Dcopy(ki+1, b[iv:], ldb, vr[ki:], ldvr)
				emax := 0.0
				for k := 0; k <= ki; k++ {
					emax = math.Max(emax, math.Abs(vr[k*ldvr+ki-1])+math.Abs(vr[k*ldvr+ki]))
				}
				remax := 1 / emax
				bi.Dscal(ki+1, remax, vr[ki-1:], ldvr)
				bi.Dscal(ki+1, remax, vr[ki:], ldvr)
				for k := ki + 1; k < n; k++ {
					vr[k*ldvr+ki-1] = 0
					vr[k*ldvr+ki] = 0
				}
			default:
				// Version 1: back-transform each vector with GEMV, Q*x.
				if ki-1 > 0 {
					bi.Dgemv(blas.NoTrans, n, ki-1, 1, vr, ldvr, b[iv-1:], ldb,
						b[(ki-1)*ldb+iv-1], vr[ki-1:], ldvr)
					bi.Dgemv(blas.NoTrans, n, ki-1, 1, vr, ldvr, b[iv:], ldb,
						b[ki*ldb+iv], vr[ki:], ldvr)
				} else {
					bi.Dscal(n, b[(ki-1)*ldb+iv-1], vr[ki-1:], ldvr)
					bi.Dscal(n, b[ki*ldb+iv], vr[ki:], ldvr)
				}
				emax := 0.0
				for k := 0; k < n; k++ {
					emax = math.Max(emax, math.Abs(vr[k*ldvr+ki-1])+math.Abs(vr[k*ldvr+ki]))
				}
				remax := 1 / emax
				bi.Dscal(n, remax, vr[ki-1:], ldvr)
				bi.Dscal(n, remax, vr[ki:], ldvr)
			}
		}
	}
	if rightv && mul {
		mulQ(true, n, t, ldt, vr, ldvr, xs, prod)
	}
	if !leftv {
		return
	}

	// Compute left eigenvectors.
	// For complex left vector, iv is for real part and iv+1 for complex
	// part; the unblocked version always uses iv=0.
	const iv = 0
	ip = 0
	for ki := 0; ki < n; ki++ {
		if ip == 1 {
			// Previous iteration ki-1 was first of conjugate pair,
			// so this ki is second of conjugate pair.
			ip = -1
			continue
		}
		if ki == n-1 || t[(ki+1)*ldt+ki] == 0 {
			// Last column or zero on sub-diagonal, so this ki must
			// be real eigenvalue.
			ip = 0
		} else {
			// Non-zero on sub-diagonal, so this ki is first of
			// conjugate pair.
			ip = 1
		}

		// Compute the ki-th eigenvalue (wr,wi).
		wr := t[ki*ldt+ki]
		var wi float64
		if ip != 0 {
			wi = math.Sqrt(math.Abs(t[ki*ldt+ki+1])) * math.Sqrt(math.Abs(t[(ki+1)*ldt+ki]))
		}
		smin := math.Max(ulp*(math.Abs(wr)+math.Abs(wi)), smlnum)

		if ip == 0 {
			// Real left eigenvector.
			b[ki*ldb+iv] = 1
			// Form right-hand side.
			for k := ki + 1; k < n; k++ {
				b[k*ldb+iv] = -t[ki*ldt+k]
			}
			// Solve transposed quasi-triangular system:
			//  [ T[ki+1:n,ki+1:n] - wr ]ᵀ * X = scale*b
			vmax := 1.0
			vcrit := bignum
			// hi and lo hold row ahead's lane sums over its first half
			// products (see dotAhead), while b there is unchanged.
			var ahead, half int = -1, 0
			var hi, lo float64
			for j := ki + 1; j < n; {
				if j == n-1 || t[(j+1)*ldt+j] == 0 {
					// 1×1 diagonal block.

					// Scale if necessary to avoid overflow
					// when forming the right-hand side.
					if norms[j] > vcrit {
						rec := 1 / vmax
						bi.Dscal(n-ki, rec, b[ki*ldb+iv:], ldb)
						vmax = 1
						ahead = -1
					}
					// Ddot(j-ki-1, T[ki+1:j, j], b[ki+1:j]), in DotInc's
					// order; two rows a pass where the next block is 1×1.
					nd, x0, y := j-ki-1, tt[j*n+ki+1:], b[(ki+1)*ldb+iv:]
					switch {
					case ahead == j:
						hi, lo = dotLanes(hi, lo, half, nd, x0, y, ldb)
						b[j*ldb+iv] -= hi + lo
					case dotIncPaired && j+1 < n && (j+2 == n || t[(j+2)*ldt+j+1] == 0):
						var d float64
						d, hi, lo = dotAhead(nd, x0, tt[(j+1)*n+ki+1:], y, ldb)
						b[j*ldb+iv] -= d
						ahead, half = j+1, nd/2*2
					default:
						b[j*ldb+iv] -= bi.Ddot(nd, x0, 1, y, ldb)
					}
					// Solve [ T[j,j] - wr ]ᵀ * X = b.
					scale, _, _ := impl.Dlaln2(false, 1, 1, smin, 1, t[j*ldt+j:], ldt,
						1, 1, b[j*ldb+iv:], ldb, wr, 0, x[:1], 2)
					// Scale if necessary.
					if scale != 1 {
						bi.Dscal(n-ki, scale, b[ki*ldb+iv:], ldb)
						ahead = -1
					}
					b[j*ldb+iv] = x[0]
					vmax = math.Max(math.Abs(b[j*ldb+iv]), vmax)
					vcrit = bignum / vmax
					j++
				} else {
					// 2×2 diagonal block.

					// Scale if necessary to avoid overflow
					// when forming the right-hand side.
					beta := math.Max(norms[j], norms[j+1])
					if beta > vcrit {
						bi.Dscal(n-ki, 1/vmax, b[ki*ldb+iv:], ldb)
						vmax = 1
					}
					if nd, y := j-ki-1, b[(ki+1)*ldb+iv:]; dotIncPaired {
						h0, l0, h1, l1 := dot2(nd, tt[j*n+ki+1:], tt[(j+1)*n+ki+1:], y, y, ldb)
						b[j*ldb+iv] -= h0 + l0
						b[(j+1)*ldb+iv] -= h1 + l1
					} else {
						b[j*ldb+iv] -= bi.Ddot(nd, tt[j*n+ki+1:], 1, y, ldb)
						b[(j+1)*ldb+iv] -= bi.Ddot(nd, tt[(j+1)*n+ki+1:], 1, y, ldb)
					}
					// Solve
					//  [ T[j,j]-wr  T[j,j+1]      ]ᵀ * X = scale*[ b1 ]
					//  [ T[j+1,j]   T[j+1,j+1]-wr ]              [ b2 ]
					scale, _, _ := impl.Dlaln2(true, 2, 1, smin, 1, t[j*ldt+j:], ldt,
						1, 1, b[j*ldb+iv:], ldb, wr, 0, x[:3], 2)
					// Scale if necessary.
					if scale != 1 {
						bi.Dscal(n-ki, scale, b[ki*ldb+iv:], ldb)
					}
					b[j*ldb+iv] = x[0]
					b[(j+1)*ldb+iv] = x[2]
					vmax = math.Max(vmax, math.Max(math.Abs(b[j*ldb+iv]), math.Abs(b[(j+1)*ldb+iv])))
					vcrit = bignum / vmax
					j += 2
				}
			}
			// Copy the vector x or Q*x to VL and normalize.
			switch {
			case mul:
				for k := 0; k < n; k++ {
					xs[k*n+ki] = 0
					if k >= ki {
						xs[k*n+ki] = b[k*ldb+iv]
					}
				}
			case howmny != lapack.EVAllMulQ:
				// No back-transform: copy x to VL and normalize.
				bi.Dcopy(n-ki, b[ki*ldb+iv:], ldb, vl[ki*ldvl+ki:], ldvl)
				ii := bi.Idamax(n-ki, vl[ki*ldvl+ki:], ldvl) + ki
				remax := 1 / math.Abs(vl[ii*ldvl+ki])
				bi.Dscal(n-ki, remax, vl[ki*ldvl+ki:], ldvl)
				for k := 0; k < ki; k++ {
					vl[k*ldvl+ki] = 0
				}
			default:
				// Version 1: back-transform each vector with Gemv, Q*x.
				if n-ki-1 > 0 {
					bi.Dgemv(blas.NoTrans, n, n-ki-1,
						1, vl[ki+1:], ldvl, b[(ki+1)*ldb+iv:], ldb,
						b[ki*ldb+iv], vl[ki:], ldvl)
				}
				ii := bi.Idamax(n, vl[ki:], ldvl)
				remax := 1 / math.Abs(vl[ii*ldvl+ki])
				bi.Dscal(n, remax, vl[ki:], ldvl)
			}
			continue
		}

		// Complex left eigenvector.

		// Initial solve:
		// [ [ T[ki,ki]   T[ki,ki+1]   ]ᵀ - (wr - i* wi) ]*X = 0.
		// [ [ T[ki+1,ki] T[ki+1,ki+1] ]                 ]
		if math.Abs(t[ki*ldt+ki+1]) >= math.Abs(t[(ki+1)*ldt+ki]) {
			b[ki*ldb+iv] = wi / t[ki*ldt+ki+1]
			b[(ki+1)*ldb+iv+1] = 1
		} else {
			b[ki*ldb+iv] = 1
			b[(ki+1)*ldb+iv+1] = -wi / t[(ki+1)*ldt+ki]
		}
		b[(ki+1)*ldb+iv] = 0
		b[ki*ldb+iv+1] = 0
		// Form right-hand side.
		for k := ki + 2; k < n; k++ {
			b[k*ldb+iv] = -b[ki*ldb+iv] * t[ki*ldt+k]
			b[k*ldb+iv+1] = -b[(ki+1)*ldb+iv+1] * t[(ki+1)*ldt+k]
		}
		// Solve transposed quasi-triangular system:
		// [ T[ki+2:n,ki+2:n]ᵀ - (wr-i*wi) ]*X = b1+i*b2
		vmax := 1.0
		vcrit := bignum
		for j := ki + 2; j < n; {
			if j == n-1 || t[(j+1)*ldt+j] == 0 {
				// 1×1 diagonal block.

				// Scale if necessary to avoid overflow
				// when forming the right-hand side elements.
				if norms[j] > vcrit {
					rec := 1 / vmax
					bi.Dscal(n-ki, rec, b[ki*ldb+iv:], ldb)
					bi.Dscal(n-ki, rec, b[ki*ldb+iv+1:], ldb)
					vmax = 1
				}
				dotRows(1, j-ki-2, tt[j*n+ki+2:], n, b[(ki+2)*ldb+iv:], b[j*ldb+iv:])
				// Solve [ T[j,j]-(wr-i*wi) ]*(X11+i*X12) = b1+i*b2.
				scale, _, _ := impl.Dlaln2(false, 1, 2, smin, 1, t[j*ldt+j:], ldt,
					1, 1, b[j*ldb+iv:], ldb, wr, -wi, x[:2], 2)
				// Scale if necessary.
				if scale != 1 {
					bi.Dscal(n-ki, scale, b[ki*ldb+iv:], ldb)
					bi.Dscal(n-ki, scale, b[ki*ldb+iv+1:], ldb)
				}
				b[j*ldb+iv] = x[0]
				b[j*ldb+iv+1] = x[1]
				vmax = math.Max(vmax, math.Max(math.Abs(b[j*ldb+iv]), math.Abs(b[j*ldb+iv+1])))
				vcrit = bignum / vmax
				j++
			} else {
				// 2×2 diagonal block.

				// Scale if necessary to avoid overflow
				// when forming the right-hand side elements.
				if math.Max(norms[j], norms[j+1]) > vcrit {
					rec := 1 / vmax
					bi.Dscal(n-ki, rec, b[ki*ldb+iv:], ldb)
					bi.Dscal(n-ki, rec, b[ki*ldb+iv+1:], ldb)
					vmax = 1
				}
				dotRows(2, j-ki-2, tt[j*n+ki+2:], n, b[(ki+2)*ldb+iv:], b[j*ldb+iv:])
				// Solve 2×2 complex linear equation
				//  [ [T[j,j]   T[j,j+1]  ]ᵀ - (wr-i*wi)*I ]*X = scale*b
				//  [ [T[j+1,j] T[j+1,j+1]]                ]
				scale, _, _ := impl.Dlaln2(true, 2, 2, smin, 1, t[j*ldt+j:], ldt,
					1, 1, b[j*ldb+iv:], ldb, wr, -wi, x[:], 2)
				// Scale if necessary.
				if scale != 1 {
					bi.Dscal(n-ki, scale, b[ki*ldb+iv:], ldb)
					bi.Dscal(n-ki, scale, b[ki*ldb+iv+1:], ldb)
				}
				b[j*ldb+iv] = x[0]
				b[j*ldb+iv+1] = x[1]
				b[(j+1)*ldb+iv] = x[2]
				b[(j+1)*ldb+iv+1] = x[3]
				vmax01 := math.Max(math.Abs(x[0]), math.Abs(x[1]))
				vmax23 := math.Max(math.Abs(x[2]), math.Abs(x[3]))
				vmax = math.Max(vmax, math.Max(vmax01, vmax23))
				vcrit = bignum / vmax
				j += 2
			}
		}
		// Copy the vector x or Q*x to VL and normalize.
		switch {
		case mul:
			for k := 0; k < n; k++ {
				xs[k*n+ki], xs[k*n+ki+1] = 0, 0
				if k >= ki {
					xs[k*n+ki], xs[k*n+ki+1] = b[k*ldb+iv], b[k*ldb+iv+1]
				}
			}
		case howmny != lapack.EVAllMulQ:
			// No back-transform: copy x to VL and normalize.
			bi.Dcopy(n-ki, b[ki*ldb+iv:], ldb, vl[ki*ldvl+ki:], ldvl)
			bi.Dcopy(n-ki, b[ki*ldb+iv+1:], ldb, vl[ki*ldvl+ki+1:], ldvl)
			emax := 0.0
			for k := ki; k < n; k++ {
				emax = math.Max(emax, math.Abs(vl[k*ldvl+ki])+math.Abs(vl[k*ldvl+ki+1]))
			}
			remax := 1 / emax
			bi.Dscal(n-ki, remax, vl[ki*ldvl+ki:], ldvl)
			bi.Dscal(n-ki, remax, vl[ki*ldvl+ki+1:], ldvl)
			for k := 0; k < ki; k++ {
				vl[k*ldvl+ki] = 0
				vl[k*ldvl+ki+1] = 0
			}
		default:
			// Version 1: back-transform each vector with GEMV, Q*x.
			if n-ki-2 > 0 {
				bi.Dgemv(blas.NoTrans, n, n-ki-2,
					1, vl[ki+2:], ldvl, b[(ki+2)*ldb+iv:], ldb,
					b[ki*ldb+iv], vl[ki:], ldvl)
				bi.Dgemv(blas.NoTrans, n, n-ki-2,
					1, vl[ki+2:], ldvl, b[(ki+2)*ldb+iv+1:], ldb,
					b[(ki+1)*ldb+iv+1], vl[ki+1:], ldvl)
			} else {
				bi.Dscal(n, b[ki*ldb+iv], vl[ki:], ldvl)
				bi.Dscal(n, b[(ki+1)*ldb+iv+1], vl[ki+1:], ldvl)
			}
			emax := 0.0
			for k := 0; k < n; k++ {
				emax = math.Max(emax, math.Abs(vl[k*ldvl+ki])+math.Abs(vl[k*ldvl+ki+1]))
			}
			remax := 1 / emax
			bi.Dscal(n, remax, vl[ki:], ldvl)
			bi.Dscal(n, remax, vl[ki+1:], ldvl)
		}
	}
	if mul {
		mulQ(false, n, t, ldt, vl, ldvl, xs, prod)
	}
}

// TrevcMulMin is the most rows for which Dtrevc3 back-transforms with
// Dgemv, as gonum's Dtrevc3 does (the same bits); above, by MulNN. It is
// Dhseqr's crossover to the multishift QR (75), so that the systems of
// this project's 16-unit networks keep every bit.
const TrevcMulMin = 75

// TrevcWork is the length of Dtrevc3's workspace for n rows.
func TrevcWork(n int, howmny lapack.EVHowMany) int {
	if howmny == lapack.EVAllMulQ && n > TrevcMulMin {
		return 3*n + 3*n*n
	}
	return 3*n + n*n
}

// trevcBlock is the width of the column blocks of X in mulQ: the product
// skips X's zero triangle in blocks of this many columns.
const trevcBlock = 32

// mulQ sets q (n×n, stride ldq) to Q X normalized as Dtrevc3 does (each
// real vector so that its largest magnitude is 1, each complex pair, in
// adjacent columns as T's 2×2 blocks say, so that its largest |re| + |im|
// is 1), for X = xs (n×n, stride n) upper triangular (right vectors) or
// lower (left), Q the matrix q holds; prod (n×n) is scratch.
func mulQ(upper bool, n int, t []float64, ldt int, q []float64, ldq int, xs, prod []float64) {
	ParallelMin(n, 64, func(lo, hi int) {
		for c0 := 0; c0 < n; c0 += trevcBlock {
			c1 := min(c0+trevcBlock, n)
			if upper {
				MulNN(hi-lo, c1-c0, c1, q[lo*ldq:], ldq, xs[c0:], n, prod[lo*n+c0:], n, false)
			} else {
				MulNN(hi-lo, c1-c0, n-c0, q[lo*ldq+c0:], ldq, xs[c0*n+c0:], n, prod[lo*n+c0:], n, false)
			}
		}
	})
	// The largest magnitude of each column (real vectors) or of |re| + |im|
	// (a pair, kept in its first column), a row at a time.
	emax := make([]float64, n)
	pair := make([]bool, n)
	for c := 0; c+1 < n; c++ {
		if t[(c+1)*ldt+c] != 0 {
			pair[c] = true
			c++
		}
	}
	for i := 0; i < n; i++ {
		row := prod[i*n : i*n+n]
		for c := 0; c < n; c++ {
			a := math.Abs(row[c])
			if pair[c] {
				emax[c] = math.Max(emax[c], a+math.Abs(row[c+1]))
				c++
				continue
			}
			if a > emax[c] {
				emax[c] = a
			}
		}
	}
	for c := 0; c < n; c++ {
		emax[c] = 1 / emax[c]
		if pair[c] {
			emax[c+1] = emax[c]
			c++
		}
	}
	for i := 0; i < n; i++ {
		row, out := prod[i*n:i*n+n], q[i*ldq:i*ldq+n]
		for c, v := range row {
			out[c] = v * emax[c]
		}
	}
}

// The left eigenvectors' dot products b_j -= T[:, j]ᵀ b, with gonum's bits:
// gonum's Ddot with a stride not 1 is DotInc, which on amd64 (its
// assembly, dotIncPaired) sums the products of even positions in one lane
// and of odd positions in another, a last odd one out into the second, and
// adds the lanes at the end; elsewhere it sums in order. One DotInc is a
// chain of dependent additions; the kernels below run two or four such
// chains at once, each in DotInc's order, so the sums are the same.

// dotLanes adds to DotInc's lane sums hi and lo the products x[m] y[m inc]
// for m from m0 (even) up to n.
func dotLanes(hi, lo float64, m0, n int, x, y []float64, inc int) (float64, float64) {
	m := m0
	for ; m+1 < n; m += 2 {
		hi += x[m] * y[m*inc]
		lo += x[m+1] * y[(m+1)*inc]
	}
	if m < n {
		lo += x[m] * y[m*inc]
	}
	return hi, lo
}

// dot2 returns DotInc's lane sums of x0·y0 and x1·y1 (n products each,
// y0 and y1 with stride inc).
func dot2(n int, x0, x1, y0, y1 []float64, inc int) (h0, l0, h1, l1 float64) {
	p := n / 2 * 2
	if p > 0 {
		a0, a1 := x0[:p], x1[:p]
		b0, b1 := y0[:(p-1)*inc+1], y1[:(p-1)*inc+1]
		for m := 0; m < p; m += 2 {
			h0 += a0[m] * b0[m*inc]
			l0 += a0[m+1] * b0[(m+1)*inc]
			h1 += a1[m] * b1[m*inc]
			l1 += a1[m+1] * b1[(m+1)*inc]
		}
	}
	h0, l0 = dotLanes(h0, l0, p, n, x0, y0, inc)
	h1, l1 = dotLanes(h1, l1, p, n, x1, y1, inc)
	return h0, l0, h1, l1
}

// dotAhead returns DotInc's x0·y (n products, stride inc) and the lane
// sums of x1·y over its first n/2*2 products: the next row's dot product,
// whose remaining products (one of them with the entry of y this one
// solves for) dotLanes adds.
func dotAhead(n int, x0, x1, y []float64, inc int) (d, hi, lo float64) {
	p := n / 2 * 2
	var h0, l0 float64
	if p > 0 {
		a0, a1, b := x0[:p], x1[:p], y[:(p-1)*inc+1]
		for m := 0; m < p; m += 2 {
			u, v := b[m*inc], b[(m+1)*inc]
			h0 += a0[m] * u
			l0 += a0[m+1] * v
			hi += a1[m] * u
			lo += a1[m+1] * v
		}
	}
	h0, l0 = dotLanes(h0, l0, p, n, x0, y, inc)
	return h0 + l0, hi, lo
}

// dotRows subtracts from b_j (and b_{j+1} with rows 2) of a complex left
// vector, its real and imaginary parts interleaved (b: stride 2, y from
// the first entry of the sums), T[:, j]ᵀ y, as gonum's Ddot would: x holds
// row j of T's transpose from the first entry (row j+1 at x[ldx:]).
func dotRows(rows, n int, x []float64, ldx int, y, b []float64) {
	if !dotIncPaired {
		bi := blas64.Implementation()
		for r := 0; r < rows; r++ {
			b[2*r] -= bi.Ddot(n, x[r*ldx:], 1, y, 2)
			b[2*r+1] -= bi.Ddot(n, x[r*ldx:], 1, y[1:], 2)
		}
		return
	}
	for r := 0; r < rows; r++ {
		h0, l0, h1, l1 := dot2(n, x[r*ldx:], x[r*ldx:], y, y[1:], 2)
		b[2*r] -= h0 + l0
		b[2*r+1] -= h1 + l1
	}
}
