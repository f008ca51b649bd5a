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
