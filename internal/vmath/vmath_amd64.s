//go:build amd64 && !purego

#include "textflag.h"

// Offsets into the constants (consts.go), 32 bytes (4 float64) each.
#define cAbs 0
#define cSign 32
#define cLog2e 64
#define cLn2U 96
#define cLn2L 128
#define cSixteenth 160
#define cE8 192
#define cE7 224
#define cE6 256
#define cE5 288
#define cE4 320
#define cE3 352
#define cHalf 384
#define cOne 416
#define cTwo 448
#define cBias 480
#define cP0 512
#define cP1 544
#define cP2 576
#define cQ0 608
#define cQ1 640
#define cQ2 672
#define cTanhLo 704
#define cTanhSat 736
#define cExpLo 768
#define cExpHi 800

// EXP_PLAIN sets Y1 to math.Exp(Y1) as archExp computes it without FMA
// (src/math/exp_amd64.s), for 4 values whose results are normal; it uses
// Y2 to Y4 and the constants at R8. k = round(x·log2e) (CVTSD2SL's
// rounding: MXCSR's, to nearest), x − k·LN2U − k·LN2L, ×1/16, the Taylor
// polynomial, squared 4 times as x(x+2), +1, ×2^k.
#define EXP_PLAIN \
	VMULPD     cLog2e(R8), Y1, Y2; \
	VCVTPD2DQY Y2, X3; \
	VCVTDQ2PD  X3, Y2; \
	VMULPD     cLn2U(R8), Y2, Y4; \
	VSUBPD     Y4, Y1, Y1; \
	VMULPD     cLn2L(R8), Y2, Y4; \
	VSUBPD     Y4, Y1, Y1; \
	VMULPD     cSixteenth(R8), Y1, Y1; \
	VMULPD     cE8(R8), Y1, Y2; \
	VADDPD     cE7(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cE6(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cE5(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cE4(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cE3(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cHalf(R8), Y2, Y2; \
	VMULPD     Y1, Y2, Y2; \
	VADDPD     cOne(R8), Y2, Y2; \
	VMULPD     Y2, Y1, Y1; \
	VADDPD     cTwo(R8), Y1, Y2; \
	VMULPD     Y2, Y1, Y1; \
	VADDPD     cTwo(R8), Y1, Y2; \
	VMULPD     Y2, Y1, Y1; \
	VADDPD     cTwo(R8), Y1, Y2; \
	VMULPD     Y2, Y1, Y1; \
	VADDPD     cTwo(R8), Y1, Y2; \
	VMULPD     Y2, Y1, Y1; \
	VADDPD     cOne(R8), Y1, Y1; \
	VPMOVSXDQ  X3, Y4; \
	VPADDQ     cBias(R8), Y4, Y4; \
	VPSLLQ     $52, Y4, Y4; \
	VMULPD     Y4, Y1, Y1

// EXP_FMA is EXP_PLAIN as archExp computes it with FMA (its avxfma
// branch): the reduction and the polynomial fused, the squarings' last
// product fused with the +1.
#define EXP_FMA \
	VMULPD       cLog2e(R8), Y1, Y2; \
	VCVTPD2DQY   Y2, X3; \
	VCVTDQ2PD    X3, Y2; \
	VFNMADD231PD cLn2U(R8), Y2, Y1; \
	VFNMADD231PD cLn2L(R8), Y2, Y1; \
	VMULPD       cSixteenth(R8), Y1, Y1; \
	VMOVUPD      cE8(R8), Y2; \
	VFMADD213PD  cE7(R8), Y1, Y2; \
	VFMADD213PD  cE6(R8), Y1, Y2; \
	VFMADD213PD  cE5(R8), Y1, Y2; \
	VFMADD213PD  cE4(R8), Y1, Y2; \
	VFMADD213PD  cE3(R8), Y1, Y2; \
	VFMADD213PD  cHalf(R8), Y1, Y2; \
	VFMADD213PD  cOne(R8), Y1, Y2; \
	VMULPD       Y2, Y1, Y1; \
	VADDPD       cTwo(R8), Y1, Y2; \
	VMULPD       Y2, Y1, Y1; \
	VADDPD       cTwo(R8), Y1, Y2; \
	VMULPD       Y2, Y1, Y1; \
	VADDPD       cTwo(R8), Y1, Y2; \
	VMULPD       Y2, Y1, Y1; \
	VADDPD       cTwo(R8), Y1, Y2; \
	VFMADD213PD  cOne(R8), Y2, Y1; \
	VPMOVSXDQ    X3, Y4; \
	VPADDQ       cBias(R8), Y4, Y4; \
	VPSLLQ       $52, Y4, Y4; \
	VMULPD       Y4, Y1, Y1

// TANH_PRE loads 4 values x into Y0 and sets Y6 = |x|, Y7 = x's sign bits
// and Y1 = 2|x|, the argument of math.tanh's Exp.
#define TANH_PRE \
	VMOVUPD (SI), Y0; \
	VANDPD  cAbs(R8), Y0, Y6; \
	VANDPD  cSign(R8), Y0, Y7; \
	VADDPD  Y6, Y6, Y1

// TANH_POST sets (DI) to math.Tanh of the values in Y0 from Y1 =
// Exp(2|x|): for |x| >= 0.625, 1 − 2/(s+1) with x's sign; below, x if x is
// ±0, else x + x·s·P(s)/Q(s), s = x·x (tanh.go's products and sums in its
// order, unfused); above 0.5·MAXLOG (not NaN), ±1.
#define TANH_POST \
	VADDPD    cOne(R8), Y1, Y1; \
	VMOVUPD   cTwo(R8), Y2; \
	VDIVPD    Y1, Y2, Y2; \
	VMOVUPD   cOne(R8), Y1; \
	VSUBPD    Y2, Y1, Y1; \
	VXORPD    Y7, Y1, Y1; \
	VMULPD    Y0, Y0, Y2; \
	VMULPD    cP0(R8), Y2, Y3; \
	VADDPD    cP1(R8), Y3, Y3; \
	VMULPD    Y2, Y3, Y3; \
	VADDPD    cP2(R8), Y3, Y3; \
	VADDPD    cQ0(R8), Y2, Y4; \
	VMULPD    Y2, Y4, Y4; \
	VADDPD    cQ1(R8), Y4, Y4; \
	VMULPD    Y2, Y4, Y4; \
	VADDPD    cQ2(R8), Y4, Y4; \
	VMULPD    Y2, Y0, Y5; \
	VMULPD    Y3, Y5, Y5; \
	VDIVPD    Y4, Y5, Y5; \
	VADDPD    Y5, Y0, Y5; \
	VXORPD    Y2, Y2, Y2; \
	VCMPPD    $0x00, Y2, Y0, Y3; \
	VBLENDVPD Y3, Y0, Y5, Y5; \
	VCMPPD    $0x1D, cTanhLo(R8), Y6, Y3; \
	VBLENDVPD Y3, Y1, Y5, Y5; \
	VCMPPD    $0x1E, cTanhSat(R8), Y6, Y3; \
	VORPD     cOne(R8), Y7, Y2; \
	VBLENDVPD Y3, Y2, Y5, Y5; \
	VMOVUPD   Y5, (DI)

// func tanhKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool)
TEXT ·tanhKern(SB), NOSPLIT, $0-33
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    blocks+16(FP), CX
	MOVQ    c+24(FP), R8
	MOVBLZX fma+32(FP), AX
	TESTQ   CX, CX
	JLE     tdone
	TESTL   AX, AX
	JNZ     tfma

tplain:
	TANH_PRE
	EXP_PLAIN
	TANH_POST
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  tplain
	JMP  tdone

tfma:
	TANH_PRE
	EXP_FMA
	TANH_POST
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  tfma

tdone:
	VZEROUPPER
	RET

// EXP_RANGE loads 4 values into Y1 and jumps to edone unless all are in
// [−700, 700] (ordered: not NaN), where archExp takes its normal path.
#define EXP_RANGE \
	VMOVUPD   (SI), Y1; \
	VCMPPD    $0x1D, cExpLo(R8), Y1, Y2; \
	VCMPPD    $0x12, cExpHi(R8), Y1, Y3; \
	VANDPD    Y2, Y3, Y2; \
	VMOVMSKPD Y2, AX; \
	CMPL      AX, $15; \
	JNE       edone

// func expKern(dst, src *float64, blocks int, c *[nConsts][4]uint64, fma bool) int
TEXT ·expKern(SB), NOSPLIT, $0-48
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    blocks+16(FP), CX
	MOVQ    c+24(FP), R8
	MOVBLZX fma+32(FP), AX
	XORQ    DX, DX
	CMPQ    DX, CX
	JGE     edone
	TESTL   AX, AX
	JNZ     efma

eplain:
	EXP_RANGE
	EXP_PLAIN
	VMOVUPD Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	INCQ    DX
	CMPQ    DX, CX
	JLT     eplain
	JMP     edone

efma:
	EXP_RANGE
	EXP_FMA
	VMOVUPD Y1, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	INCQ    DX
	CMPQ    DX, CX
	JLT     efma

edone:
	MOVQ DX, ret+40(FP)
	VZEROUPPER
	RET

// The arithmetic kernels set dst[i] = x[i] op y[i] for n values, n a
// multiple of 4, 16 a round while they can, then 4: one IEEE operation a
// value, as Go's loop (x is the operation's first operand).

// func addKern(dst, x, y *float64, n int)
TEXT ·addKern(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   add4

add16:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	VADDPD (DX)(AX*8), Y0, Y0
	VADDPD 32(DX)(AX*8), Y1, Y1
	VADDPD 64(DX)(AX*8), Y2, Y2
	VADDPD 96(DX)(AX*8), Y3, Y3
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ $16, AX
	CMPQ AX, BX
	JLT  add16

add4:
	CMPQ AX, CX
	JGE  adddone
	VMOVUPD (SI)(AX*8), Y0
	VADDPD (DX)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  add4

adddone:
	VZEROUPPER
	RET

// func subKern(dst, x, y *float64, n int)
TEXT ·subKern(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   sub4

sub16:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	VSUBPD (DX)(AX*8), Y0, Y0
	VSUBPD 32(DX)(AX*8), Y1, Y1
	VSUBPD 64(DX)(AX*8), Y2, Y2
	VSUBPD 96(DX)(AX*8), Y3, Y3
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ $16, AX
	CMPQ AX, BX
	JLT  sub16

sub4:
	CMPQ AX, CX
	JGE  subdone
	VMOVUPD (SI)(AX*8), Y0
	VSUBPD (DX)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  sub4

subdone:
	VZEROUPPER
	RET

// func mulKern(dst, x, y *float64, n int)
TEXT ·mulKern(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DX
	MOVQ n+24(FP), CX
	XORQ AX, AX
	MOVQ CX, BX
	ANDQ $-16, BX
	JZ   mul4

mul16:
	VMOVUPD (SI)(AX*8), Y0
	VMOVUPD 32(SI)(AX*8), Y1
	VMOVUPD 64(SI)(AX*8), Y2
	VMOVUPD 96(SI)(AX*8), Y3
	VMULPD (DX)(AX*8), Y0, Y0
	VMULPD 32(DX)(AX*8), Y1, Y1
	VMULPD 64(DX)(AX*8), Y2, Y2
	VMULPD 96(DX)(AX*8), Y3, Y3
	VMOVUPD Y0, (DI)(AX*8)
	VMOVUPD Y1, 32(DI)(AX*8)
	VMOVUPD Y2, 64(DI)(AX*8)
	VMOVUPD Y3, 96(DI)(AX*8)
	ADDQ $16, AX
	CMPQ AX, BX
	JLT  mul16

mul4:
	CMPQ AX, CX
	JGE  muldone
	VMOVUPD (SI)(AX*8), Y0
	VMULPD (DX)(AX*8), Y0, Y0
	VMOVUPD Y0, (DI)(AX*8)
	ADDQ $4, AX
	JMP  mul4

muldone:
	VZEROUPPER
	RET
