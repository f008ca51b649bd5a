//go:build !openblas && !purego

#include "textflag.h"

// func kernNN4x8(k, lda, ldb int, a, b, c *float64, ldc int, add bool)
TEXT ·kernNN4x8(SB), NOSPLIT, $0-57
	MOVQ k+0(FP), CX
	MOVQ lda+8(FP), R8
	SHLQ $3, R8
	MOVQ ldb+16(FP), R9
	SHLQ $3, R9
	MOVQ a+24(FP), SI
	MOVQ b+32(FP), DI
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R10
	SHLQ $3, R10
	LEAQ (SI)(R8*1), R11
	LEAQ (R11)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	MOVBLZX add+56(FP), BX
	TESTL   BX, BX
	JNZ     load
	VXORPD  Y0, Y0, Y0
	VXORPD  Y1, Y1, Y1
	VXORPD  Y2, Y2, Y2
	VXORPD  Y3, Y3, Y3
	VXORPD  Y4, Y4, Y4
	VXORPD  Y5, Y5, Y5
	VXORPD  Y6, Y6, Y6
	VXORPD  Y7, Y7, Y7
	JMP     start

load:
	MOVQ    DX, BX
	VMOVUPD (BX), Y0
	VMOVUPD 32(BX), Y1
	ADDQ    R10, BX
	VMOVUPD (BX), Y2
	VMOVUPD 32(BX), Y3
	ADDQ    R10, BX
	VMOVUPD (BX), Y4
	VMOVUPD 32(BX), Y5
	ADDQ    R10, BX
	VMOVUPD (BX), Y6
	VMOVUPD 32(BX), Y7

start:
	XORQ AX, AX
	TESTQ CX, CX
	JLE  store

loop:
	VMOVUPD      (DI), Y8
	VMOVUPD      32(DI), Y9
	VBROADCASTSD (SI)(AX*1), Y10
	VMULPD       Y10, Y8, Y11
	VMULPD       Y10, Y9, Y12
	VADDPD       Y0, Y11, Y0
	VADDPD       Y1, Y12, Y1
	VBROADCASTSD (R11)(AX*1), Y13
	VMULPD       Y13, Y8, Y14
	VMULPD       Y13, Y9, Y15
	VADDPD       Y2, Y14, Y2
	VADDPD       Y3, Y15, Y3
	VBROADCASTSD (R12)(AX*1), Y10
	VMULPD       Y10, Y8, Y11
	VMULPD       Y10, Y9, Y12
	VADDPD       Y4, Y11, Y4
	VADDPD       Y5, Y12, Y5
	VBROADCASTSD (R13)(AX*1), Y13
	VMULPD       Y13, Y8, Y14
	VMULPD       Y13, Y9, Y15
	VADDPD       Y6, Y14, Y6
	VADDPD       Y7, Y15, Y7
	ADDQ         $8, AX
	ADDQ         R9, DI
	DECQ         CX
	JNZ          loop

store:
	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	ADDQ    R10, DX
	VMOVUPD Y2, (DX)
	VMOVUPD Y3, 32(DX)
	ADDQ    R10, DX
	VMOVUPD Y4, (DX)
	VMOVUPD Y5, 32(DX)
	ADDQ    R10, DX
	VMOVUPD Y6, (DX)
	VMOVUPD Y7, 32(DX)
	VZEROUPPER
	RET

// func kernNT2x4(k, lda, ldbt int, a, bt, c *float64, ldc int)
TEXT ·kernNT2x4(SB), NOSPLIT, $0-56
	MOVQ k+0(FP), CX
	MOVQ CX, BX
	ANDQ $3, BX          // the k mod 4 last terms
	SHRQ $2, CX          // groups of four terms
	MOVQ lda+8(FP), R8
	SHLQ $3, R8
	MOVQ ldbt+16(FP), R9
	SHLQ $3, R9
	MOVQ a+24(FP), SI
	MOVQ bt+32(FP), DI
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R10
	SHLQ $3, R10
	LEAQ (SI)(R8*1), R11 // A's second row
	VXORPD Y0, Y0, Y0    // row 0: s0 .. s3
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4    // row 1: s0 .. s3
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	TESTQ CX, CX
	JEQ   tail

groups:
	LEAQ         (DI)(R9*2), R12
	VMOVUPD      (DI), Y8
	VMOVUPD      (DI)(R9*1), Y9
	VMOVUPD      (R12), Y10
	VMOVUPD      (R12)(R9*1), Y11
	VBROADCASTSD (SI), Y12
	VBROADCASTSD 8(SI), Y13
	VMULPD       Y8, Y12, Y12
	VMULPD       Y9, Y13, Y13
	VADDPD       Y12, Y0, Y0
	VADDPD       Y13, Y1, Y1
	VBROADCASTSD 16(SI), Y14
	VBROADCASTSD 24(SI), Y15
	VMULPD       Y10, Y14, Y14
	VMULPD       Y11, Y15, Y15
	VADDPD       Y14, Y2, Y2
	VADDPD       Y15, Y3, Y3
	VBROADCASTSD (R11), Y12
	VBROADCASTSD 8(R11), Y13
	VMULPD       Y8, Y12, Y12
	VMULPD       Y9, Y13, Y13
	VADDPD       Y12, Y4, Y4
	VADDPD       Y13, Y5, Y5
	VBROADCASTSD 16(R11), Y14
	VBROADCASTSD 24(R11), Y15
	VMULPD       Y10, Y14, Y14
	VMULPD       Y11, Y15, Y15
	VADDPD       Y14, Y6, Y6
	VADDPD       Y15, Y7, Y7
	ADDQ         $32, SI
	ADDQ         $32, R11
	LEAQ         (R12)(R9*2), DI
	DECQ         CX
	JNZ          groups

tail:
	TESTQ BX, BX
	JEQ   join

tailloop:
	VMOVUPD      (DI), Y8
	VBROADCASTSD (SI), Y12
	VBROADCASTSD (R11), Y13
	VMULPD       Y8, Y12, Y12
	VMULPD       Y8, Y13, Y13
	VADDPD       Y12, Y0, Y0
	VADDPD       Y13, Y4, Y4
	ADDQ         $8, SI
	ADDQ         $8, R11
	ADDQ         R9, DI
	DECQ         BX
	JNZ          tailloop

join:
	// (s1 + s3) + (s0 + s2), added to C.
	VADDPD  Y2, Y0, Y0
	VADDPD  Y3, Y1, Y1
	VADDPD  Y0, Y1, Y1
	VADDPD  Y6, Y4, Y4
	VADDPD  Y7, Y5, Y5
	VADDPD  Y4, Y5, Y5
	VMOVUPD (DX), Y8
	VADDPD  Y8, Y1, Y8 // the sum plus C, as Dgemm's c += alpha*dot compiles
	VMOVUPD Y8, (DX)
	ADDQ    R10, DX
	VMOVUPD (DX), Y9
	VADDPD  Y9, Y5, Y9
	VMOVUPD Y9, (DX)
	VZEROUPPER
	RET

// func kernTrsmRow16(n int, coef *float64, cstride int, b *float64, bstride int, x *float64, tmp float64)
TEXT ·kernTrsmRow16(SB), NOSPLIT, $0-56
	MOVQ    n+0(FP), CX
	MOVQ    coef+8(FP), SI
	MOVQ    cstride+16(FP), R8
	SHLQ    $3, R8
	MOVQ    b+24(FP), DI
	MOVQ    bstride+32(FP), R9
	SHLQ    $3, R9
	MOVQ    x+40(FP), DX
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	VXORPD  X15, X15, X15
	MOVQ    $0x8000000000000000, AX
	VMOVQ   AX, X9
	VBROADCASTSD X9, Y9       // the sign bit
	TESTQ   CX, CX
	JLE     scale

trsmloop:
	VMOVSD  (SI), X4
	VUCOMISD X15, X4
	JNE     term
	JP      term
	JMP     next

term:
	// x + (-c) b as gonum's AxpyUnitary forms it: the product with b
	// first, then the product plus x (which NaN a result carries).
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4   // -c
	VMOVUPD      (DI), Y5
	VMOVUPD      32(DI), Y6
	VMOVUPD      64(DI), Y7
	VMOVUPD      96(DI), Y8
	VMULPD       Y4, Y5, Y5
	VMULPD       Y4, Y6, Y6
	VMULPD       Y4, Y7, Y7
	VMULPD       Y4, Y8, Y8
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	VADDPD       Y2, Y7, Y2
	VADDPD       Y3, Y8, Y3

next:
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ  trsmloop

scale:
	VBROADCASTSD tmp+48(FP), Y4
	VMULPD       Y4, Y0, Y0
	VMULPD       Y4, Y1, Y1
	VMULPD       Y4, Y2, Y2
	VMULPD       Y4, Y3, Y3
	VMOVUPD      Y0, (DX)
	VMOVUPD      Y1, 32(DX)
	VMOVUPD      Y2, 64(DX)
	VMOVUPD      Y3, 96(DX)
	VZEROUPPER
	RET

// The store masks of potf2K's leftmost block of a row: lanes left of
// column j + 1 (0 to 3 of them) keep their values.
DATA potf2Mask<>+0(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+8(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+16(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+24(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+32(SB)/8, $0
DATA potf2Mask<>+40(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+48(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+56(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+64(SB)/8, $0
DATA potf2Mask<>+72(SB)/8, $0
DATA potf2Mask<>+80(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+88(SB)/8, $0xffffffffffffffff
DATA potf2Mask<>+96(SB)/8, $0
DATA potf2Mask<>+104(SB)/8, $0
DATA potf2Mask<>+112(SB)/8, $0
DATA potf2Mask<>+120(SB)/8, $0xffffffffffffffff
GLOBL potf2Mask<>(SB), RODATA|NOPTR, $128

// func potf2K(a *float64, n int) bool
//
// potf2Upper of the n×n row-major a for n a multiple of 4 (see there):
// for each row j, u_jj from the column above it (even and odd terms
// apart, then their sum subtracted), a failure written and returned,
// then the row right of the diagonal updated by −u_ij u_i· over i < j in
// order, in 4-wide blocks aligned to the row's end (the leftmost block's
// lanes left of column j + 1 computed but not stored), and scaled by
// 1/u_jj; a zero inverse zeroes the row right of the diagonal.
TEXT ·potf2K(SB), NOSPLIT, $0-17
	MOVQ a+0(FP), DI
	MOVQ n+8(FP), R8
	LEAQ (R8*8), R9           // a row, in bytes
	MOVQ $0x8000000000000000, AX
	VMOVQ AX, X9
	VBROADCASTSD X9, Y9       // the sign bit
	XORQ R11, R11             // j

row:
	CMPQ R11, R8
	JGE  ok
	MOVQ R11, AX
	IMULQ R9, AX
	LEAQ (DI)(AX*1), R12      // row j
	MOVSD (R12)(R11*8), X0    // a_jj
	XORPD X1, X1              // even terms
	XORPD X2, X2              // odd terms
	LEAQ (DI)(R11*8), SI      // column j, row 0
	MOVQ R11, CX

dot2:
	CMPQ CX, $2
	JLT  dot1
	MOVSD (SI), X3
	MOVSD (SI)(R9*1), X4
	MULSD X3, X3
	MULSD X4, X4
	ADDSD X3, X1
	ADDSD X4, X2
	LEAQ (SI)(R9*2), SI
	SUBQ $2, CX
	JMP  dot2

dot1:
	TESTQ CX, CX
	JZ    dotdone
	MOVSD (SI), X3
	MULSD X3, X3
	ADDSD X3, X2

dotdone:
	ADDSD X1, X2              // odd + even
	SUBSD X2, X0
	XORPD X5, X5
	UCOMISD X5, X0
	JLS   fail                // a_jj <= 0 or NaN
	SQRTSD X0, X0
	MOVSD X0, (R12)(R11*8)
	LEAQ 1(R11), R14          // j + 1
	CMPQ R14, R8
	JGE  ok                   // the last row: no update
	MOVQ $0x3ff0000000000000, AX
	MOVQ AX, X3
	DIVSD X0, X3              // 1/u_jj
	VBROADCASTSD X3, Y11
	MOVQ R14, AX
	ANDQ $3, AX
	SHLQ $5, AX
	LEAQ potf2Mask<>(SB), BX
	VMOVUPD (BX)(AX*1), Y10   // the first block's store mask
	MOVQ R14, R13
	ANDQ $-4, R13             // the first block's column

group:
	CMPQ R13, R8
	JGE  rowdone
	MOVQ R8, R15
	SUBQ R13, R15
	SHRQ $2, R15              // blocks left
	LEAQ (R12)(R13*8), DX     // x: row j at the group's column
	LEAQ (DI)(R13*8), BX      // b: row 0 at the group's column
	LEAQ (DI)(R11*8), SI      // c: column j, row 0
	MOVQ R11, CX
	CMPQ R15, $4
	JGE  g4
	CMPQ R15, $3
	JEQ  g3
	CMPQ R15, $2
	JEQ  g2

	VMOVUPD (DX), Y0
	TESTQ   CX, CX
	JZ      s1
l1:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4
	VMULPD       (BX), Y4, Y5
	VADDPD       Y0, Y5, Y0
	ADDQ R9, SI
	ADDQ R9, BX
	DECQ CX
	JNZ  l1
s1:
	VMULPD     Y11, Y0, Y0
	VMASKMOVPD Y0, Y10, (DX)
	ADDQ       $4, R13
	JMP        next

g2:
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	TESTQ   CX, CX
	JZ      s2
l2:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4
	VMULPD       (BX), Y4, Y5
	VMULPD       32(BX), Y4, Y6
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	ADDQ R9, SI
	ADDQ R9, BX
	DECQ CX
	JNZ  l2
s2:
	VMULPD     Y11, Y0, Y0
	VMULPD     Y11, Y1, Y1
	VMASKMOVPD Y0, Y10, (DX)
	VMOVUPD    Y1, 32(DX)
	ADDQ       $8, R13
	JMP        next

g3:
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	TESTQ   CX, CX
	JZ      s3
l3:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4
	VMULPD       (BX), Y4, Y5
	VMULPD       32(BX), Y4, Y6
	VMULPD       64(BX), Y4, Y7
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	VADDPD       Y2, Y7, Y2
	ADDQ R9, SI
	ADDQ R9, BX
	DECQ CX
	JNZ  l3
s3:
	VMULPD     Y11, Y0, Y0
	VMULPD     Y11, Y1, Y1
	VMULPD     Y11, Y2, Y2
	VMASKMOVPD Y0, Y10, (DX)
	VMOVUPD    Y1, 32(DX)
	VMOVUPD    Y2, 64(DX)
	ADDQ       $12, R13
	JMP        next

g4:
	VMOVUPD (DX), Y0
	VMOVUPD 32(DX), Y1
	VMOVUPD 64(DX), Y2
	VMOVUPD 96(DX), Y3
	TESTQ   CX, CX
	JZ      s4
l4:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4
	VMULPD       (BX), Y4, Y5
	VMULPD       32(BX), Y4, Y6
	VMULPD       64(BX), Y4, Y7
	VMULPD       96(BX), Y4, Y8
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	VADDPD       Y2, Y7, Y2
	VADDPD       Y3, Y8, Y3
	ADDQ R9, SI
	ADDQ R9, BX
	DECQ CX
	JNZ  l4
s4:
	VMULPD     Y11, Y0, Y0
	VMULPD     Y11, Y1, Y1
	VMULPD     Y11, Y2, Y2
	VMULPD     Y11, Y3, Y3
	VMASKMOVPD Y0, Y10, (DX)
	VMOVUPD    Y1, 32(DX)
	VMOVUPD    Y2, 64(DX)
	VMOVUPD    Y3, 96(DX)
	ADDQ       $16, R13

next:
	VPCMPEQQ Y10, Y10, Y10    // later groups store every lane
	JMP      group

rowdone:
	XORPD   X5, X5
	UCOMISD X5, X3
	JNE     nextrow
	JP      nextrow
	// 1/u_jj = 0 (u_jj = +∞): the row right of the diagonal is zero.
	MOVQ R14, CX
zero:
	MOVSD X5, (R12)(CX*8)
	INCQ  CX
	CMPQ  CX, R8
	JLT   zero

nextrow:
	INCQ R11
	JMP  row

fail:
	MOVSD X0, (R12)(R11*8)
	VZEROUPPER
	MOVB $0, ret+16(FP)
	RET

ok:
	VZEROUPPER
	MOVB $1, ret+16(FP)
	RET

// func kernCholSolve16(n int, u *float64, b *float64)
//
// CholeskySolve's two triangular solves for 16 columns: U is n×n (row
// stride n), B n×16 (row stride 16). Uᵀ Y = B row by row from the top,
// then U X = Y from the bottom, each row as kernTrsmRow16 forms it: an
// axpy with −u_ti for each term whose u_ti is not zero (NaN is not
// skipped), in order of t, then a scaling by 1/u_ii.
TEXT ·kernCholSolve16(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), R8
	MOVQ u+8(FP), DI
	MOVQ b+16(FP), DX
	LEAQ (R8*8), R9           // a row of U, in bytes
	VXORPD X15, X15, X15
	MOVQ $0x8000000000000000, AX
	VMOVQ AX, X9
	VBROADCASTSD X9, Y9       // the sign bit
	MOVQ $0x3ff0000000000000, AX
	VMOVQ AX, X14             // 1
	XORQ R11, R11             // i

fwd:
	CMPQ R11, R8
	JGE  bwdstart
	MOVQ R11, AX
	SHLQ $7, AX
	LEAQ (DX)(AX*1), R12      // row i of B
	VMOVUPD (R12), Y0
	VMOVUPD 32(R12), Y1
	VMOVUPD 64(R12), Y2
	VMOVUPD 96(R12), Y3
	LEAQ (DI)(R11*8), SI      // u_0i, then down column i
	MOVQ DX, BX               // row 0 of B
	MOVQ R11, CX
	TESTQ CX, CX
	JZ   fscale

floop:
	VMOVSD   (SI), X4
	VUCOMISD X15, X4
	JNE      fterm
	JP       fterm
	JMP      fnext

fterm:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4   // -u_ti
	VMOVUPD      (BX), Y5
	VMOVUPD      32(BX), Y6
	VMOVUPD      64(BX), Y7
	VMOVUPD      96(BX), Y8
	VMULPD       Y4, Y5, Y5
	VMULPD       Y4, Y6, Y6
	VMULPD       Y4, Y7, Y7
	VMULPD       Y4, Y8, Y8
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	VADDPD       Y2, Y7, Y2
	VADDPD       Y3, Y8, Y3

fnext:
	ADDQ R9, SI
	ADDQ $128, BX
	DECQ CX
	JNZ  floop

fscale:
	MOVQ  R11, AX
	IMULQ R9, AX
	ADDQ  DI, AX
	VMOVSD (AX)(R11*8), X4    // u_ii
	VDIVSD X4, X14, X5        // 1/u_ii
	VBROADCASTSD X5, Y4
	VMULPD  Y4, Y0, Y0
	VMULPD  Y4, Y1, Y1
	VMULPD  Y4, Y2, Y2
	VMULPD  Y4, Y3, Y3
	VMOVUPD Y0, (R12)
	VMOVUPD Y1, 32(R12)
	VMOVUPD Y2, 64(R12)
	VMOVUPD Y3, 96(R12)
	INCQ R11
	JMP  fwd

bwdstart:
	MOVQ R8, R11

bwd:
	DECQ R11
	JL   done
	MOVQ R11, AX
	SHLQ $7, AX
	LEAQ (DX)(AX*1), R12      // row i of B
	VMOVUPD (R12), Y0
	VMOVUPD 32(R12), Y1
	VMOVUPD 64(R12), Y2
	VMOVUPD 96(R12), Y3
	MOVQ  R11, AX
	IMULQ R9, AX
	ADDQ  DI, AX              // row i of U
	VMOVSD (AX)(R11*8), X4
	VDIVSD X4, X14, X10       // 1/u_ii
	LEAQ 8(AX)(R11*8), SI     // u_i,i+1, then along row i
	LEAQ 128(R12), BX         // row i+1 of B
	MOVQ R8, CX
	SUBQ R11, CX
	DECQ CX                   // n-1-i terms
	JZ   bscale

bloop:
	VMOVSD   (SI), X4
	VUCOMISD X15, X4
	JNE      bterm
	JP       bterm
	JMP      bnext

bterm:
	VBROADCASTSD (SI), Y4
	VXORPD       Y9, Y4, Y4
	VMOVUPD      (BX), Y5
	VMOVUPD      32(BX), Y6
	VMOVUPD      64(BX), Y7
	VMOVUPD      96(BX), Y8
	VMULPD       Y4, Y5, Y5
	VMULPD       Y4, Y6, Y6
	VMULPD       Y4, Y7, Y7
	VMULPD       Y4, Y8, Y8
	VADDPD       Y0, Y5, Y0
	VADDPD       Y1, Y6, Y1
	VADDPD       Y2, Y7, Y2
	VADDPD       Y3, Y8, Y3

bnext:
	ADDQ $8, SI
	ADDQ $128, BX
	DECQ CX
	JNZ  bloop

bscale:
	VBROADCASTSD X10, Y4
	VMULPD  Y4, Y0, Y0
	VMULPD  Y4, Y1, Y1
	VMULPD  Y4, Y2, Y2
	VMULPD  Y4, Y3, Y3
	VMOVUPD Y0, (R12)
	VMOVUPD Y1, 32(R12)
	VMOVUPD Y2, 64(R12)
	VMOVUPD Y3, 96(R12)
	JMP bwd

done:
	VZEROUPPER
	RET

// func cholSolve1K(n int, u, b *float64)
//
// choleskySolve1 (see there) for n ≥ 1: Uᵀ y = b by columns, each
// column's updates of the entries below it 4 at once where the factor's
// entry is not zero (a NaN is not skipped: the others keep their values,
// blended), then U x = y by rows from the bottom, one term at a time.
TEXT ·cholSolve1K(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), R8
	MOVQ u+8(FP), DI
	MOVQ b+16(FP), DX
	LEAQ (R8*8), R9           // a row of U, in bytes
	VXORPD X15, X15, X15
	MOVQ $0x8000000000000000, AX
	VMOVQ AX, X9
	VBROADCASTSD X9, Y9       // the sign bit
	MOVQ $0x3ff0000000000000, AX
	VMOVQ AX, X14             // 1
	XORQ R11, R11             // k
	MOVQ DI, R12              // row k of U

fcol:
	VMOVSD (R12)(R11*8), X4   // u_kk
	VDIVSD X4, X14, X5        // 1/u_kk
	VMOVSD (DX)(R11*8), X6
	VMULSD X6, X5, X6         // (1/u_kk) b_k, in Go's order (a NaN's payload follows the first operand)
	VMOVSD X6, (DX)(R11*8)
	VBROADCASTSD X6, Y6       // b_k
	LEAQ 1(R11), R13          // i
	LEAQ (R12)(R13*8), SI     // u_ki
	LEAQ (DX)(R13*8), BX      // b_i
	MOVQ R8, CX
	SUBQ R13, CX              // entries below k

fvec:
	CMPQ CX, $4
	JLT  ftail
	VMOVUPD   (SI), Y0
	VCMPPD    $4, Y15, Y0, Y1 // u_ki ≠ 0 or NaN
	VXORPD    Y9, Y0, Y0      // −u_ki
	VMULPD    Y6, Y0, Y0      // −u_ki b_k
	VMOVUPD   (BX), Y2
	VADDPD    Y2, Y0, Y3      // the term plus b_i, in Go's order
	VBLENDVPD Y1, Y3, Y2, Y2
	VMOVUPD   Y2, (BX)
	ADDQ $32, SI
	ADDQ $32, BX
	SUBQ $4, CX
	JMP  fvec

ftail:
	TESTQ CX, CX
	JZ    fnext
	VMOVSD   (SI), X0
	VUCOMISD X15, X0
	JNE      fterm
	JP       fterm
	JMP      fskip

fterm:
	VXORPD X9, X0, X0
	VMULSD X6, X0, X0
	VMOVSD (BX), X2
	VADDSD X2, X0, X2
	VMOVSD X2, (BX)

fskip:
	ADDQ $8, SI
	ADDQ $8, BX
	DECQ CX
	JMP  ftail

fnext:
	ADDQ R9, R12
	INCQ R11
	CMPQ R11, R8
	JLT  fcol

	// U x = y, from the last row up.
	MOVQ R8, R11

brow:
	DECQ R11
	JL   done
	MOVQ  R11, AX
	IMULQ R9, AX
	LEAQ  (DI)(AX*1), R12     // row i of U
	VMOVSD (DX)(R11*8), X6    // b_i
	LEAQ 1(R11), R13
	LEAQ (R12)(R13*8), SI     // u_ij
	LEAQ (DX)(R13*8), BX      // b_j
	MOVQ R8, CX
	SUBQ R13, CX
	JZ   bscale

bterm:
	VMOVSD   (SI), X0
	VUCOMISD X15, X0
	JNE      bdo
	JP       bdo
	JMP      bskip

bdo:
	VXORPD X9, X0, X0
	VMULSD (BX), X0, X0       // −u_ij b_j
	VADDSD X0, X6, X6

bskip:
	ADDQ $8, SI
	ADDQ $8, BX
	DECQ CX
	JNZ  bterm

bscale:
	VMOVSD (R12)(R11*8), X4
	VDIVSD X4, X14, X5        // 1/u_ii
	VMULSD X5, X6, X6
	VMOVSD X6, (DX)(R11*8)
	JMP    brow

done:
	VZEROUPPER
	RET

// func transposeK(n int, a, at *float64)
//
// at = aᵀ for n×n row-major a and at, n a multiple of 4, by 4×4 blocks
// in registers.
TEXT ·transposeK(SB), NOSPLIT, $0-24
	MOVQ n+0(FP), R8
	MOVQ a+8(FP), SI
	MOVQ at+16(FP), DI
	LEAQ (R8*8), R9           // a row, in bytes
	XORQ R10, R10             // the block's row in a (bytes of a column offset in at)

brow:
	CMPQ R10, R9
	JGE  tdone
	XORQ R11, R11             // the block's column in a, in bytes

bcol:
	CMPQ R11, R9
	JGE  bnextrow
	// a's rows R10/8 .. +3 at column R11/8
	MOVQ  R10, AX
	SHRQ  $3, AX
	IMULQ R9, AX
	ADDQ  SI, AX
	ADDQ  R11, AX
	VMOVUPD (AX), Y0
	ADDQ    R9, AX
	VMOVUPD (AX), Y1
	ADDQ    R9, AX
	VMOVUPD (AX), Y2
	ADDQ    R9, AX
	VMOVUPD (AX), Y3
	VUNPCKLPD  Y1, Y0, Y4     // a0 b0 a2 b2
	VUNPCKHPD  Y1, Y0, Y5     // a1 b1 a3 b3
	VUNPCKLPD  Y3, Y2, Y6     // c0 d0 c2 d2
	VUNPCKHPD  Y3, Y2, Y7     // c1 d1 c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y0
	VPERM2F128 $0x20, Y7, Y5, Y1
	VPERM2F128 $0x31, Y6, Y4, Y2
	VPERM2F128 $0x31, Y7, Y5, Y3
	// at's rows R11/8 .. +3 at column R10/8
	MOVQ  R11, AX
	SHRQ  $3, AX
	IMULQ R9, AX
	ADDQ  DI, AX
	ADDQ  R10, AX
	VMOVUPD Y0, (AX)
	ADDQ    R9, AX
	VMOVUPD Y1, (AX)
	ADDQ    R9, AX
	VMOVUPD Y2, (AX)
	ADDQ    R9, AX
	VMOVUPD Y3, (AX)
	ADDQ $32, R11
	JMP  bcol

bnextrow:
	ADDQ $32, R10
	JMP  brow

tdone:
	VZEROUPPER
	RET

// func mirrorUpperK(n int, a *float64)
TEXT ·mirrorUpperK(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), R8
	MOVQ a+8(FP), SI
	LEAQ (R8*8), R9           // a row, in bytes
	XORQ R10, R10             // the block's row (bytes of a column offset)

mrow:
	CMPQ R10, R9
	JGE  mdone
	MOVQ R10, R11             // the block's column, in bytes, from the diagonal on

mcol:
	CMPQ R11, R9
	JGE  mnextrow
	MOVQ  R10, DX
	SHRQ  $3, DX
	IMULQ R9, DX
	ADDQ  SI, DX
	ADDQ  R11, DX             // rows R10/8 .. +3 at column R11/8
	MOVQ    DX, AX
	VMOVUPD (AX), Y0
	ADDQ    R9, AX
	VMOVUPD (AX), Y1
	ADDQ    R9, AX
	VMOVUPD (AX), Y2
	ADDQ    R9, AX
	VMOVUPD (AX), Y3
	VUNPCKLPD  Y1, Y0, Y4     // a0 b0 a2 b2
	VUNPCKHPD  Y1, Y0, Y5     // a1 b1 a3 b3
	VUNPCKLPD  Y3, Y2, Y6     // c0 d0 c2 d2
	VUNPCKHPD  Y3, Y2, Y7     // c1 d1 c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y8
	VPERM2F128 $0x20, Y7, Y5, Y9
	VPERM2F128 $0x31, Y6, Y4, Y10
	VPERM2F128 $0x31, Y7, Y5, Y11
	CMPQ R11, R10
	JEQ  mdiag
	// rows R11/8 .. +3 at column R10/8 take the transposed block
	MOVQ  R11, AX
	SHRQ  $3, AX
	IMULQ R9, AX
	ADDQ  SI, AX
	ADDQ  R10, AX
	VMOVUPD Y8, (AX)
	ADDQ    R9, AX
	VMOVUPD Y9, (AX)
	ADDQ    R9, AX
	VMOVUPD Y10, (AX)
	ADDQ    R9, AX
	VMOVUPD Y11, (AX)
	ADDQ $32, R11
	JMP  mcol

mdiag:
	// a diagonal block: row r takes the transpose's first r entries
	VBLENDPD $1, Y9, Y1, Y1
	VBLENDPD $3, Y10, Y2, Y2
	VBLENDPD $7, Y11, Y3, Y3
	ADDQ    R9, DX
	VMOVUPD Y1, (DX)
	ADDQ    R9, DX
	VMOVUPD Y2, (DX)
	ADDQ    R9, DX
	VMOVUPD Y3, (DX)
	ADDQ $32, R11
	JMP  mcol

mnextrow:
	ADDQ $32, R10
	JMP  mrow

mdone:
	VZEROUPPER
	RET
