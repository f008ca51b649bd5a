// Dhseqr and dlaqr04 below are gonum v0.17's Dhseqr and Dlaqr04
// (gonum.org/v1/gonum/lapack/gonum, dhseqr.go and dlaqr04.go), under this
// notice:
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
// What changed, and why: gonum v0.17's Iparmq picks the number of shifts
// with a switch whose first case (nh >= 30: 4) takes every nh >= 30, where
// LAPACK's iparmq has sequential IFs (>= 30: 4, >= 60: 10, >= 150:
// nh/log2 nh, >= 590: 64, >= 3000: 128, >= 6000: 256). With 4 shifts Dlaqr5
// never accumulates its reflections (kacc22 = 0 below 14 shifts) and so
// never uses matrix products, and the deflation window stays 4 or 6 wide:
// at N = 1024 Dlaqr5's scalar loops were 45% of a planted network's CPU.
// The fork takes its parameters from iparmq, LAPACK's table; the rest is
// gonum's code (argument checks shortened), calling gonum's exported
// Dlahqr, Dlaqr23, Dlaqr5, Dlanv2, Dlacpy and Dlaset. Dlaqr23 may still call
// gonum's own Dlaqr04 on a deflation window of more than 75 (recursion
// depth 1, DLAQR4), with gonum's parameters.

package linalg

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/lapack"
	lapackgonum "gonum.org/v1/gonum/lapack/gonum"
)

// Hessenberg QR parameters (LAPACK's iparmq; ispec of ilaenv).
const (
	hqrNmin   = 12 // Dlahqr / dlaqr04 crossover
	hqrWindow = 13 // deflation window size
	hqrNibble = 14 // skip a sweep after this percentage of the window deflated
	hqrShifts = 15 // simultaneous shifts
	hqrAcc22  = 16 // Dlaqr5's kacc22
)

// iparmq is LAPACK's iparmq for Dhseqr and dlaqr04 (names DHSEQR, DLAQR0,
// DLAQR4): the parameter ispec for an active block of nh = ihi-ilo+1 rows.
func iparmq(ispec, nh int) int {
	ns := 2
	if nh >= 30 {
		ns = 4
	}
	if nh >= 60 {
		ns = 10
	}
	if nh >= 150 {
		ns = max(10, nh/int(math.Round(math.Log2(float64(nh)))))
	}
	if nh >= 590 {
		ns = 64
	}
	if nh >= 3000 {
		ns = 128
	}
	if nh >= 6000 {
		ns = 256
	}
	ns = max(2, ns-ns%2)
	switch ispec {
	case hqrNmin:
		return 75
	case hqrWindow:
		if nh <= 500 {
			return ns
		}
		return 3 * ns / 2
	case hqrNibble:
		return 14
	case hqrShifts:
		return ns
	case hqrAcc22:
		if ns >= 14 {
			return 2
		}
		return 0
	}
	panic("linalg: bad ispec")
}

// Dhseqr is gonum's Dhseqr (lapack/gonum, v0.17: same arguments, same
// results and workspace rules) with LAPACK's shift and window parameters
// (see iparmq) in its multishift QR: the eigenvalues of the n x n upper
// Hessenberg H (rows and columns ilo..ihi active) in wr, wi and, by job and
// compz, the Schur form T in H and the Schur vectors into z. Blocks of n <=
// 75 go to gonum's Dlahqr, exactly as in gonum. lwork == -1 is a workspace
// query (work[0]). It returns the number of unconverged eigenvalues' end
// (0 when all converged), as gonum's.
func Dhseqr(job lapack.SchurJob, compz lapack.SchurComp, n, ilo, ihi int, h []float64, ldh int, wr, wi []float64, z []float64, ldz int, work []float64, lwork int) (unconverged int) {
	impl := lapackgonum.Implementation{}
	wantt := job == lapack.EigenvaluesAndSchur
	wantz := compz == lapack.SchurHess || compz == lapack.SchurOrig
	switch {
	case job != lapack.EigenvaluesOnly && job != lapack.EigenvaluesAndSchur,
		compz != lapack.SchurNone && compz != lapack.SchurHess && compz != lapack.SchurOrig,
		n < 0, ilo < 0 || max(0, n-1) < ilo, ihi < min(ilo, n-1) || n <= ihi,
		ldh < max(1, n), ldz < 1, wantz && ldz < n,
		lwork < max(1, n) && lwork != -1, len(work) < max(1, lwork):
		panic("linalg: Dhseqr: bad arguments")
	}
	if n == 0 {
		work[0] = 1
		return 0
	}
	if lwork == -1 {
		dlaqr04(wantt, wantz, n, ilo, ihi, h, ldh, wr, wi, ilo, ihi, z, ldz, work, -1, 1)
		work[0] = math.Max(float64(n), work[0])
		return 0
	}
	if len(h) < (n-1)*ldh+n || wantz && len(z) < (n-1)*ldz+n || len(wr) < n || len(wi) < n {
		panic("linalg: Dhseqr: short slice")
	}
	const (
		// Matrices of order ntiny or smaller must be processed by
		// Dlahqr because of insufficient subdiagonal scratch space.
		ntiny = 15
		// nl is the size of a local workspace to help small matrices
		// through a rare Dlahqr failure.
		nl = 49
	)
	// Copy eigenvalues isolated by Dgebal.
	for i := 0; i < ilo; i++ {
		wr[i] = h[i*ldh+i]
		wi[i] = 0
	}
	for i := ihi + 1; i < n; i++ {
		wr[i] = h[i*ldh+i]
		wi[i] = 0
	}
	if compz == lapack.SchurHess {
		impl.Dlaset(blas.All, n, n, 0, 1, z, ldz)
	}
	if ilo == ihi {
		wr[ilo] = h[ilo*ldh+ilo]
		wi[ilo] = 0
		return 0
	}
	nmin := max(ntiny, iparmq(hqrNmin, ihi-ilo+1))
	if n > nmin {
		unconverged = dlaqr04(wantt, wantz, n, ilo, ihi, h, ldh, wr[:ihi+1], wi[:ihi+1],
			ilo, ihi, z, ldz, work, lwork, 1)
	} else {
		unconverged = impl.Dlahqr(wantt, wantz, n, ilo, ihi, h, ldh, wr[:ihi+1], wi[:ihi+1],
			ilo, ihi, z, ldz)
		if unconverged > 0 {
			// A rare Dlahqr failure: dlaqr04 sometimes succeeds.
			kbot := unconverged
			if n >= nl {
				unconverged = dlaqr04(wantt, wantz, n, ilo, kbot, h, ldh,
					wr[:ihi+1], wi[:ihi+1], ilo, ihi, z, ldz, work, lwork, 1)
			} else {
				// Tiny matrices lack the subdiagonal scratch space:
				// copy into a larger array.
				var hl [nl * nl]float64
				impl.Dlacpy(blas.All, n, n, h, ldh, hl[:], nl)
				impl.Dlaset(blas.All, nl, nl-n, 0, 0, hl[n:], nl)
				var workl [nl]float64
				unconverged = dlaqr04(wantt, wantz, nl, ilo, kbot, hl[:], nl,
					wr[:ihi+1], wi[:ihi+1], ilo, ihi, z, ldz, workl[:], nl, 1)
				work[0] = workl[0]
				if wantt || unconverged > 0 {
					impl.Dlacpy(blas.All, n, n, hl[:], nl, h, ldh)
				}
			}
		}
	}
	// Zero out under the first subdiagonal, if necessary.
	if (wantt || unconverged > 0) && n > 2 {
		impl.Dlaset(blas.Lower, n-2, n-2, 0, 0, h[2*ldh:], ldh)
	}
	work[0] = math.Max(float64(n), work[0])
	return unconverged
}

// dlaqr04 is gonum's Dlaqr04 (DLAQR0 for recur > 0, DLAQR4 for recur ==
// 0), its parameters from iparmq.
func dlaqr04(wantt, wantz bool, n, ilo, ihi int, h []float64, ldh int, wr, wi []float64, iloz, ihiz int, z []float64, ldz int, work []float64, lwork int, recur int) (unconverged int) {
	impl := lapackgonum.Implementation{}
	const (
		// Matrices of order ntiny or smaller must be processed by
		// Dlahqr because of insufficient subdiagonal scratch space.
		ntiny = 15
		// Exceptional deflation windows after kexnw iterations without
		// a deflation.
		kexnw = 5
		// Exceptional shifts every kexsh iterations.
		kexsh = 6
		// Exceptional shift constants (gonum/lapack#151).
		wilk1 = 0.75
		wilk2 = -0.4375
	)
	switch {
	case n < 0, ilo < 0 || max(0, n-1) < ilo, ihi < min(ilo, n-1) || n <= ihi,
		ldh < max(1, n), wantz && (iloz < 0 || ilo < iloz), wantz && (ihiz < ihi || n <= ihiz),
		ldz < 1, wantz && ldz < n, lwork < 1 && lwork != -1, len(work) < max(1, lwork), recur < 0:
		panic("linalg: dlaqr04: bad arguments")
	}
	if n == 0 {
		work[0] = 1
		return 0
	}
	if lwork != -1 {
		switch {
		case len(h) < (n-1)*ldh+n, len(wr) != ihi+1, len(wi) != ihi+1, wantz && len(z) < (n-1)*ldz+n:
			panic("linalg: dlaqr04: short slice")
		case ilo > 0 && h[ilo*ldh+ilo-1] != 0, ihi+1 < n && h[(ihi+1)*ldh+ihi] != 0:
			panic("linalg: dlaqr04: block not isolated")
		}
	}
	if n <= ntiny {
		if lwork == -1 {
			work[0] = 1
			return 0
		}
		return impl.Dlahqr(wantt, wantz, n, ilo, ihi, h, ldh, wr, wi, iloz, ihiz, z, ldz)
	}

	nh0 := ihi - ilo + 1
	// nwr is the recommended deflation window size, nsr the recommended
	// number of simultaneous shifts (even, at least 2).
	nwr := max(2, iparmq(hqrWindow, nh0))
	nwr = min(ihi-ilo+1, min((n-1)/3, nwr))
	nsr := iparmq(hqrShifts, nh0)
	nsr = min(nsr, min((n-3)/6, ihi-ilo))
	nsr = max(2, nsr&^1)

	// Workspace query call to Dlaqr23.
	impl.Dlaqr23(wantt, wantz, n, ilo, ihi, nwr+1, h, ldh, iloz, ihiz, z, ldz,
		wr, wi, h, ldh, n, h, ldh, n, h, ldh, work, -1, recur)
	lwkopt := max(3*nsr/2, int(work[0]))
	if lwork == -1 {
		work[0] = float64(lwkopt)
		return 0
	}

	nmin := max(ntiny, iparmq(hqrNmin, nh0))
	nibble := max(0, iparmq(hqrNibble, nh0))
	kacc22 := max(0, min(iparmq(hqrAcc22, nh0), 2))

	// nwmax is the largest deflation window and nsmax the largest number
	// of shifts for which there is workspace.
	nwmax := min((n-1)/3, lwork/2)
	nw := nwmax
	nsmax := min((n-3)/6, 2*lwork/3) &^ 1

	ndfl := 1 // Number of iterations since last deflation.
	ndec := 0 // Deflation window size decrement.

	var (
		itmax = max(30, 2*kexsh) * max(10, (ihi-ilo+1))
		it    = 0
	)
	for kbot := ihi; kbot >= ilo; {
		if it == itmax {
			unconverged = kbot + 1
			break
		}
		it++

		// Locate active block.
		ktop := ilo
		for k := kbot; k >= ilo+1; k-- {
			if h[k*ldh+k-1] == 0 {
				ktop = k
				break
			}
		}

		// Deflation window size nw: typically min(nwr, nwmax) or one more
		// (the smaller subdiagonal entry), the whole active block if
		// possible; after kexnw iterations without a deflation, grow it
		// fast to the maximum, then shrink it gradually.
		nh := kbot - ktop + 1
		nwupbd := min(nh, nwmax)
		if ndfl < kexnw {
			nw = min(nwupbd, nwr)
		} else {
			nw = min(nwupbd, 2*nw)
		}
		if nw < nwmax {
			if nw >= nh-1 {
				nw = nh
			} else {
				kwtop := kbot - nw + 1
				if math.Abs(h[kwtop*ldh+kwtop-1]) > math.Abs(h[(kwtop-1)*ldh+kwtop-2]) {
					nw++
				}
			}
		}
		if ndfl < kexnw {
			ndec = -1
		} else if ndec >= 0 || nw >= nwupbd {
			ndec++
			if nw-ndec < 2 {
				ndec = 0
			}
			nw -= ndec
		}

		// Workspace under the subdiagonal of H: an nw x nw array V in
		// the lower left corner, an nw x nhv array along the bottom
		// edge and an nhv x nw array along the left edge.
		kv := n - nw
		kt := nw
		kwv := nw + 1
		nhv := n - kwv - kt
		// Aggressive early deflation.
		ls, ld := impl.Dlaqr23(wantt, wantz, n, ktop, kbot, nw,
			h, ldh, iloz, ihiz, z, ldz, wr[:kbot+1], wi[:kbot+1],
			h[kv*ldh:], ldh, nhv, h[kv*ldh+kt:], ldh, nhv, h[kwv*ldh:], ldh, work, lwork, recur)

		kbot -= ld
		ks := kbot - ls + 1 // the shifts

		// Skip a QR sweep if many eigenvalues have just deflated or the
		// remaining active block is small.
		if ld > 0 && (100*ld > nw*nibble || kbot-ktop+1 <= min(nmin, nwmax)) {
			ndfl = 1
			continue
		}

		// ns is the nominal number of simultaneous shifts.
		ns := min(min(nsmax, nsr), max(2, kbot-ktop)) &^ 1

		if ndfl%kexsh == 0 {
			// Exceptional shifts.
			ks = kbot - ns + 1
			for i := kbot; i > max(ks, ktop+1); i -= 2 {
				ss := math.Abs(h[i*ldh+i-1]) + math.Abs(h[(i-1)*ldh+i-2])
				aa := wilk1*ss + h[i*ldh+i]
				_, _, _, _, wr[i-1], wi[i-1], wr[i], wi[i], _, _ =
					impl.Dlanv2(aa, ss, wilk2*ss, aa)
			}
			if ks == ktop {
				wr[ks+1] = h[(ks+1)*ldh+ks+1]
				wi[ks+1] = 0
				wr[ks] = wr[ks+1]
				wi[ks] = wi[ks+1]
			}
		} else {
			// With ns/2 or fewer shifts from Dlaqr23, take more from
			// a trailing principal submatrix (ns x ns scratch below
			// the subdiagonal).
			if kbot-ks+1 <= ns/2 {
				ks = kbot - ns + 1
				kt = n - ns
				impl.Dlacpy(blas.All, ns, ns, h[ks*ldh+ks:], ldh, h[kt*ldh:], ldh)
				if ns > nmin && recur > 0 {
					ks += dlaqr04(false, false, ns, 1, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 0, work, lwork, recur-1)
				} else {
					ks += impl.Dlahqr(false, false, ns, 0, ns-1, h[kt*ldh:], ldh,
						wr[ks:ks+ns], wi[ks:ks+ns], 0, 0, nil, 1)
				}
				// On a rare QR failure use the eigenvalues of the
				// trailing 2 x 2 principal submatrix.
				if ks >= kbot {
					aa := h[(kbot-1)*ldh+kbot-1]
					bb := h[(kbot-1)*ldh+kbot]
					cc := h[kbot*ldh+kbot-1]
					dd := h[kbot*ldh+kbot]
					_, _, _, _, wr[kbot-1], wi[kbot-1], wr[kbot], wi[kbot], _, _ =
						impl.Dlanv2(aa, bb, cc, dd)
					ks = kbot - 1
				}
			}

			if kbot-ks+1 > ns {
				// Bubble sort the shifts by modulus (keeps complex
				// conjugate pairs together).
				sorted := false
				for k := kbot; k > ks; k-- {
					if sorted {
						break
					}
					sorted = true
					for i := ks; i < k; i++ {
						if math.Abs(wr[i])+math.Abs(wi[i]) >= math.Abs(wr[i+1])+math.Abs(wi[i+1]) {
							continue
						}
						sorted = false
						wr[i], wr[i+1] = wr[i+1], wr[i]
						wi[i], wi[i+1] = wi[i+1], wi[i]
					}
				}
			}

			// Shuffle shifts into pairs of real shifts and pairs of
			// complex conjugate shifts.
			for i := kbot; i > ks+1; i -= 2 {
				if wi[i] == -wi[i-1] {
					continue
				}
				wr[i], wr[i-1], wr[i-2] = wr[i-1], wr[i-2], wr[i]
				wi[i], wi[i-1], wi[i-2] = wi[i-1], wi[i-2], wi[i]
			}
		}

		// If there are only two shifts and both are real, use only one.
		if kbot-ks+1 == 2 && wi[kbot] == 0 {
			if math.Abs(wr[kbot]-h[kbot*ldh+kbot]) < math.Abs(wr[kbot-1]-h[kbot*ldh+kbot]) {
				wr[kbot-1] = wr[kbot]
			} else {
				wr[kbot] = wr[kbot-1]
			}
		}

		// Use up to ns of the smallest magnitude shifts (an even number).
		ns = min(ns, kbot-ks+1) &^ 1
		ks = kbot - ns + 1

		// Workspace under the subdiagonal: a kdu x kdu array U in the
		// lower left corner, a kdu x nhv array WH along the bottom edge
		// and an nhv x kdu array WV along the left edge.
		kdu := 2 * ns
		ku := n - kdu
		kwh := kdu
		kwv = kdu + 3
		nhv = n - kwv - kdu
		// Small-bulge multi-shift QR sweep.
		impl.Dlaqr5(wantt, wantz, kacc22, n, ktop, kbot, ns,
			wr[ks:ks+ns], wi[ks:ks+ns], h, ldh, iloz, ihiz, z, ldz,
			work, 3, h[ku*ldh:], ldh, nhv, h[kwv*ldh:], ldh, nhv, h[ku*ldh+kwh:], ldh)

		if ld > 0 {
			ndfl = 1
		} else {
			ndfl++
		}
	}
	work[0] = float64(lwkopt)
	return unconverged
}
