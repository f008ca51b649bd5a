//go:build !openblas && !purego

#include "textflag.h"

// func gruRank4K(h int, S, t, s, p, w, a *float64)
TEXT ·gruRank4K(SB), NOSPLIT, $0-56
	MOVQ h+0(FP), CX
	MOVQ CX, R8
	SHLQ $3, R8           // h in bytes: a row of S, one of a1..a4
	MOVQ S+8(FP), DX
	MOVQ t+16(FP), R9
	MOVQ s+24(FP), R10
	MOVQ p+32(FP), R11
	MOVQ w+40(FP), R12
	MOVQ a+48(FP), SI     // a1
	LEAQ (SI)(R8*1), R13  // a2
	LEAQ (R13)(R8*1), R14 // a3
	LEAQ (R14)(R8*1), R15 // a4
	XORQ BX, BX           // the column block's offset in bytes

block:
	VMOVUPD (R9)(BX*1), Y0
	VMOVUPD (R10)(BX*1), Y1
	VMOVUPD (R11)(BX*1), Y2
	VMOVUPD (R12)(BX*1), Y3
	LEAQ    (DX)(BX*1), DI // S[0][k]
	LEAQ    32(BX), CX     // rows 0 .. k+3, in bytes of a1..a4
	XORQ    AX, AX

row:
	// Each entry as the loops form it (go tool objdump), so that where
	// two NaNs meet x86 passes on the same one (its first operand's): S
	// + (w a4 + (p a3 + (s a2 + t a1))), the sum first, with the
	// coefficient first in the products on even rows (a in the loops)
	// and the entry of t, s, p, w first on odd rows (b); the diagonal of
	// an even row is S + (((t a1 + s a2) + p a3) + w a4), entries first.
	// Rows in pairs, even then odd (k+4 rows, an even number).
	VBROADCASTSD (SI)(AX*1), Y4
	VBROADCASTSD (R13)(AX*1), Y5
	VBROADCASTSD (R14)(AX*1), Y6
	VBROADCASTSD (R15)(AX*1), Y7
	VMULPD       Y0, Y4, Y9
	VMULPD       Y1, Y5, Y10
	VADDPD       Y9, Y10, Y9
	VMULPD       Y2, Y6, Y10
	VADDPD       Y9, Y10, Y9
	VMULPD       Y3, Y7, Y10
	VADDPD       Y9, Y10, Y9
	CMPQ         AX, BX      // the row's diagonal in this block?
	JLT          evensum
	VMULPD       Y4, Y0, Y11
	VMULPD       Y5, Y1, Y12
	VADDPD       Y12, Y11, Y11
	VMULPD       Y6, Y2, Y12
	VADDPD       Y12, Y11, Y11
	VMULPD       Y7, Y3, Y12
	VADDPD       Y12, Y11, Y11
	CMPQ         AX, BX
	JNE          rowdiag2    // lane 2: lanes 0, 1 are left of it
	VBLENDPD     $1, Y11, Y9, Y9
	JMP          evensum

rowdiag2:
	VBLENDPD $4, Y11, Y9, Y9

evensum:
	VMOVUPD      (DI), Y8
	VADDPD       Y8, Y9, Y9
	VMOVUPD      Y9, (DI)
	ADDQ         R8, DI
	VBROADCASTSD 8(SI)(AX*1), Y4
	VBROADCASTSD 8(R13)(AX*1), Y5
	VBROADCASTSD 8(R14)(AX*1), Y6
	VBROADCASTSD 8(R15)(AX*1), Y7
	VMULPD       Y4, Y0, Y9
	VMULPD       Y5, Y1, Y10
	VADDPD       Y9, Y10, Y9
	VMULPD       Y6, Y2, Y10
	VADDPD       Y9, Y10, Y9
	VMULPD       Y7, Y3, Y10
	VADDPD       Y9, Y10, Y9
	VMOVUPD      (DI), Y8
	VADDPD       Y8, Y9, Y9
	VMOVUPD      Y9, (DI)
	ADDQ         R8, DI
	ADDQ         $16, AX
	CMPQ         AX, CX
	JLT          row

	ADDQ $32, BX
	CMPQ BX, R8
	JLT  block
	VZEROUPPER
	RET

// func gruGramK(h int, A, S, hess *float64)
TEXT ·gruGramK(SB), NOSPLIT, $0-32
	MOVQ h+0(FP), CX
	MOVQ CX, R8
	SHLQ $3, R8           // a row in bytes
	MOVQ A+8(FP), SI
	MOVQ S+16(FP), R9
	MOVQ hess+24(FP), R10
	LEAQ -32(R8), R14     // the last block of columns
	XORQ BX, BX           // the column block's offset in bytes

block:
	XORQ R11, R11         // rows jg .. jg+3: jg in bytes

group:
	// R12 = (jg h + k) in bytes: S's and hess's entry of row jg.
	MOVQ  R11, AX
	SHRQ  $3, AX
	IMULQ R8, AX
	ADDQ  BX, AX
	MOVQ  AX, R12
	LEAQ  (R9)(R12*1), DI
	VMOVUPD (DI), Y0
	ADDQ    R8, DI
	VMOVUPD (DI), Y1
	ADDQ    R8, DI
	VMOVUPD (DI), Y2
	ADDQ    R8, DI
	VMOVUPD (DI), Y3
	MOVQ    SI, DI        // A[i]: row i of A
	MOVQ    CX, R13       // i's left
	CMPQ    BX, R14
	JEQ     lastterms

	// Each product as the loops form it (go tool objdump), so that where
	// two NaNs meet x86 passes on the same one (its first operand's):
	// A[i][k] A[i][j], then the sum + the product; in the last block of
	// columns, where the loops take their columns one at a time (the
	// last (4 − j mod 4) mod 4 of row j), A[i][j] A[i][k].
terms:
	VMOVUPD      (DI)(BX*1), Y4  // A[i][k..k+3]
	VBROADCASTSD (DI)(R11*1), Y5 // A[i][jg]
	VMULPD       Y5, Y4, Y5
	VADDPD       Y5, Y0, Y0
	VBROADCASTSD 8(DI)(R11*1), Y6
	VMULPD       Y6, Y4, Y6
	VADDPD       Y6, Y1, Y1
	VBROADCASTSD 16(DI)(R11*1), Y7
	VMULPD       Y7, Y4, Y7
	VADDPD       Y7, Y2, Y2
	VBROADCASTSD 24(DI)(R11*1), Y8
	VMULPD       Y8, Y4, Y8
	VADDPD       Y8, Y3, Y3
	ADDQ         R8, DI
	DECQ         R13
	JNZ          terms
	JMP          store

lastterms:
	VMOVUPD      (DI)(BX*1), Y4
	VBROADCASTSD (DI)(R11*1), Y5
	VMULPD       Y5, Y4, Y5
	VADDPD       Y5, Y0, Y0
	VBROADCASTSD 8(DI)(R11*1), Y6
	VMULPD       Y6, Y4, Y9
	VMULPD       Y4, Y6, Y6
	VBLENDPD     $14, Y6, Y9, Y6 // row jg+1: lanes 1..3 alone
	VADDPD       Y6, Y1, Y1
	VBROADCASTSD 16(DI)(R11*1), Y7
	VMULPD       Y7, Y4, Y9
	VMULPD       Y4, Y7, Y7
	VBLENDPD     $12, Y7, Y9, Y7 // row jg+2: lanes 2, 3
	VADDPD       Y7, Y2, Y2
	VBROADCASTSD 24(DI)(R11*1), Y8
	VMULPD       Y8, Y4, Y9
	VMULPD       Y4, Y8, Y8
	VBLENDPD     $8, Y8, Y9, Y8  // row jg+3: lane 3
	VADDPD       Y8, Y3, Y3
	ADDQ         R8, DI
	DECQ         R13
	JNZ          lastterms

store:
	LEAQ    (R10)(R12*1), DI
	VMOVUPD Y0, (DI)
	ADDQ    R8, DI
	VMOVUPD Y1, (DI)
	ADDQ    R8, DI
	VMOVUPD Y2, (DI)
	ADDQ    R8, DI
	VMOVUPD Y3, (DI)

	ADDQ $32, R11
	CMPQ R11, BX
	JLE  group

	ADDQ $32, BX
	CMPQ BX, R8
	JLT  block
	VZEROUPPER
	RET

// func matTVecAddK(h, m int, a, wT, v *float64)
TEXT ·matTVecAddK(SB), NOSPLIT, $0-40
	MOVQ h+0(FP), CX
	MOVQ CX, R8
	SHLQ $3, R8          // a row of wT in bytes
	MOVQ m+8(FP), R9
	MOVQ a+16(FP), DX
	MOVQ wT+24(FP), SI
	MOVQ v+32(FP), R10
	VXORPD X15, X15, X15 // VEX forms only: no SSE/AVX transitions
	XORQ BX, BX          // the block's offset in a, bytes

group16:
	// Four blocks of 4 entries of a at once while 16 are left.
	MOVQ R8, AX
	SUBQ BX, AX
	CMPQ AX, $128
	JLT  single
	VMOVUPD (DX)(BX*1), Y0
	VMOVUPD 32(DX)(BX*1), Y1
	VMOVUPD 64(DX)(BX*1), Y2
	VMOVUPD 96(DX)(BX*1), Y3
	LEAQ    (SI)(BX*1), DI // wT[0][block]
	XORQ    R11, R11       // j
	TESTQ   R9, R9
	JEQ     g16store

g16loop:
	VMOVSD   (R10)(R11*8), X4
	VUCOMISD X15, X4
	JNE      g16term
	JPS      g16term
	JMP      g16next

g16term:
	// w v_j, then (w v_j) + a: the compiled loop's operand order
	// (MULSD v, w; ADDSD a, product), so that where two NaNs meet x86
	// passes on the same one (its first operand's).
	VBROADCASTSD X4, Y4
	VMOVUPD      (DI), Y5
	VMULPD       Y4, Y5, Y5
	VADDPD       Y0, Y5, Y0
	VMOVUPD      32(DI), Y6
	VMULPD       Y4, Y6, Y6
	VADDPD       Y1, Y6, Y1
	VMOVUPD      64(DI), Y7
	VMULPD       Y4, Y7, Y7
	VADDPD       Y2, Y7, Y2
	VMOVUPD      96(DI), Y8
	VMULPD       Y4, Y8, Y8
	VADDPD       Y3, Y8, Y3

g16next:
	ADDQ R8, DI
	INCQ R11
	CMPQ R11, R9
	JLT  g16loop

g16store:
	VMOVUPD Y0, (DX)(BX*1)
	VMOVUPD Y1, 32(DX)(BX*1)
	VMOVUPD Y2, 64(DX)(BX*1)
	VMOVUPD Y3, 96(DX)(BX*1)
	ADDQ    $128, BX
	JMP     group16

single:
	CMPQ BX, R8
	JGE  done
	VMOVUPD (DX)(BX*1), Y0
	LEAQ    (SI)(BX*1), DI
	XORQ    R11, R11
	TESTQ   R9, R9
	JEQ     s4store

s4loop:
	VMOVSD   (R10)(R11*8), X4
	VUCOMISD X15, X4
	JNE      s4term
	JPS      s4term
	JMP      s4next

s4term:
	VBROADCASTSD X4, Y4
	VMOVUPD      (DI), Y5
	VMULPD       Y4, Y5, Y5 // as in g16term
	VADDPD       Y0, Y5, Y0

s4next:
	ADDQ R8, DI
	INCQ R11
	CMPQ R11, R9
	JLT  s4loop

s4store:
	VMOVUPD Y0, (DX)(BX*1)
	ADDQ    $32, BX
	JMP     single

done:
	VZEROUPPER
	RET

// func gruUnitK(h int, cr, cz, cn, s, p, w, t, ai, a, c *float64)
TEXT ·gruUnitK(SB), NOSPLIT, $0-88
	MOVQ h+0(FP), R8
	SHLQ $3, R8           // h in bytes: the columns' stride
	MOVQ cr+8(FP), AX
	MOVQ cz+16(FP), BX
	MOVQ cn+24(FP), CX
	MOVQ s+32(FP), R9
	MOVQ p+40(FP), R10
	MOVQ w+48(FP), R11
	MOVQ t+56(FP), R12
	MOVQ ai+64(FP), R13
	MOVQ a+72(FP), SI     // a1
	LEAQ (SI)(R8*1), R14  // a2
	LEAQ (R14)(R8*1), R15 // a3
	LEAQ (R15)(R8*1), DX  // a4
	MOVQ c+80(FP), DI
	VBROADCASTSD (DI), Y7     // r
	VBROADCASTSD 8(DI), Y8    // hdr
	VBROADCASTSD 16(DI), Y9   // odn
	VBROADCASTSD 24(DI), Y10  // ndz
	VBROADCASTSD 32(DI), Y11  // ctt
	VBROADCASTSD 40(DI), Y12  // cpt
	VBROADCASTSD 48(DI), Y13  // css
	VBROADCASTSD 56(DI), Y14  // csw
	VBROADCASTSD 64(DI), Y15  // cpp
	XORQ DI, DI

unit:
	// s, p, w: 4 entries of each column, a column's stride apart.
	VMOVSD      (AX), X0
	VMOVHPD     (AX)(R8*1), X0, X0
	LEAQ        (AX)(R8*2), AX
	VMOVSD      (AX), X4
	VMOVHPD     (AX)(R8*1), X4, X4
	LEAQ        (AX)(R8*2), AX
	VINSERTF128 $1, X4, Y0, Y0
	VMOVSD      (BX), X1
	VMOVHPD     (BX)(R8*1), X1, X1
	LEAQ        (BX)(R8*2), BX
	VMOVSD      (BX), X4
	VMOVHPD     (BX)(R8*1), X4, X4
	LEAQ        (BX)(R8*2), BX
	VINSERTF128 $1, X4, Y1, Y1
	VMOVSD      (CX), X2
	VMOVHPD     (CX)(R8*1), X2, X2
	LEAQ        (CX)(R8*2), CX
	VMOVSD      (CX), X4
	VMOVHPD     (CX)(R8*1), X4, X4
	LEAQ        (CX)(R8*2), CX
	VINSERTF128 $1, X4, Y2, Y2
	VMOVUPD     Y0, (R9)(DI*1)
	VMOVUPD     Y1, (R10)(DI*1)
	VMOVUPD     Y2, (R11)(DI*1)
	// Each operation's first operand (whose NaN x86 passes on when both
	// are NaN) is the one the compiled loops have first (go tool objdump).
	VMULPD  Y7, Y2, Y3        // w r
	VMULPD  Y8, Y0, Y4        // s hdr
	VADDPD  Y3, Y4, Y3        // t = (s hdr) + (w r)
	VMOVUPD Y3, (R12)(DI*1)
	VMULPD  Y9, Y3, Y4        // t odn
	VMULPD  Y10, Y1, Y5       // p ndz
	VSUBPD  Y5, Y4, Y4        // (t odn) − (p ndz)
	VMOVUPD Y4, (R13)(DI*1)
	VMULPD  Y3, Y11, Y4       // ctt t
	VMULPD  Y12, Y1, Y5       // p cpt
	VADDPD  Y5, Y4, Y4        // a1 = (ctt t) + (p cpt)
	VMOVUPD Y4, (SI)(DI*1)
	VMULPD  Y0, Y13, Y4       // css s
	VMULPD  Y14, Y2, Y5       // w csw
	VADDPD  Y5, Y4, Y4        // a2 = (css s) + (w csw)
	VMOVUPD Y4, (R14)(DI*1)
	VMULPD  Y1, Y15, Y4       // cpp p
	VMULPD  Y12, Y3, Y5       // t cpt
	VADDPD  Y5, Y4, Y4        // a3 = (cpp p) + (t cpt)
	VMOVUPD Y4, (R15)(DI*1)
	VMULPD  Y14, Y0, Y4       // a4 = s csw
	VMOVUPD Y4, (DX)(DI*1)
	ADDQ    $32, DI
	CMPQ    DI, R8
	JLT     unit
	VZEROUPPER
	RET

// func gruJacRowK(h int, wz, wn, wr, row *float64, az, an, ar float64)
TEXT ·gruJacRowK(SB), NOSPLIT, $0-64
	MOVQ h+0(FP), R8
	SHLQ $3, R8           // h in bytes
	MOVQ wz+8(FP), R9
	MOVQ wn+16(FP), R10
	MOVQ wr+24(FP), R11
	MOVQ row+32(FP), DX
	VBROADCASTSD az+40(FP), Y7
	VBROADCASTSD an+48(FP), Y8
	VBROADCASTSD ar+56(FP), Y9
	VXORPD Y10, Y10, Y10  // 0
	XORQ BX, BX

jrow:
	VMULPD  (R9)(BX*1), Y7, Y0
	VADDPD  Y0, Y10, Y0       // 0 + az wz
	VMULPD  (R10)(BX*1), Y8, Y1
	VADDPD  Y1, Y0, Y0        // + an wn
	VMULPD  (R11)(BX*1), Y9, Y1
	VADDPD  Y1, Y0, Y0        // + ar wr
	VMOVUPD Y0, (DX)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, R8
	JLT     jrow
	VZEROUPPER
	RET

// func gruGatesPreK(h int, rr, rz, d *float64)
TEXT ·gruGatesPreK(SB), NOSPLIT, $0-32
	MOVQ h+0(FP), R8
	SHLQ $3, R8           // h in bytes
	MOVQ rr+8(FP), SI
	MOVQ rz+16(FP), DI
	MOVQ d+24(FP), DX     // d_r, then d_z h further
	LEAQ (DX)(R8*1), R9
	MOVQ $0x3fe0000000000000, AX
	VMOVQ AX, X7
	VBROADCASTSD X7, Y7   // 0.5
	XORQ BX, BX

gpre:
	VMOVUPD (SI)(BX*1), Y0
	VADDPD  (DX)(BX*1), Y0, Y0 // rr + d_r
	VMULPD  Y7, Y0, Y0
	VMOVUPD Y0, (SI)(BX*1)
	VMOVUPD (DI)(BX*1), Y1
	VADDPD  (R9)(BX*1), Y1, Y1 // rz + d_z
	VMULPD  Y7, Y1, Y1
	VMOVUPD Y1, (DI)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, R8
	JLT     gpre
	VZEROUPPER
	RET

// func gruGatesPostK(h int, rr, rz, rh, rn, dn, bhn, tr, tz *float64)
TEXT ·gruGatesPostK(SB), NOSPLIT, $0-72
	MOVQ h+0(FP), R8
	SHLQ $3, R8           // h in bytes
	MOVQ rr+8(FP), SI
	MOVQ rz+16(FP), DI
	MOVQ rh+24(FP), R9
	MOVQ rn+32(FP), R10
	MOVQ dn+40(FP), R11
	MOVQ bhn+48(FP), R12
	MOVQ tr+56(FP), R13
	MOVQ tz+64(FP), R14
	MOVQ $0x3fe0000000000000, AX
	VMOVQ AX, X7
	VBROADCASTSD X7, Y7   // 0.5
	XORQ BX, BX

gpost:
	VMOVUPD (SI)(BX*1), Y0    // tanh(0.5 a_r)
	VMOVUPD (DI)(BX*1), Y1    // tanh(0.5 a_z)
	TESTQ   R13, R13
	JZ      gsig
	VMOVUPD Y0, (R13)(BX*1)
	VMOVUPD Y1, (R14)(BX*1)

gsig:
	VMULPD  Y7, Y0, Y0
	VADDPD  Y7, Y0, Y0        // r = (t 0.5) + 0.5
	VMOVUPD Y0, (SI)(BX*1)
	VMULPD  Y7, Y1, Y1
	VADDPD  Y7, Y1, Y1        // z
	VMOVUPD Y1, (DI)(BX*1)
	VMOVUPD (R9)(BX*1), Y2
	VADDPD  (R12)(BX*1), Y2, Y2 // hn = hn + b_hn
	VMOVUPD Y2, (R9)(BX*1)
	VMULPD  Y2, Y0, Y3        // r hn
	VADDPD  (R11)(BX*1), Y3, Y3 // + d_n
	VMOVUPD Y3, (R10)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, R8
	JLT     gpost
	VZEROUPPER
	RET

// func gruObjElemsK(m int, x, nn, z, hn, r, tz, tr, f, dhn, daz, gr *float64)
TEXT ·gruObjElemsK(SB), NOSPLIT, $0-96
	MOVQ $0x3fe0000000000000, AX
	VMOVQ AX, X15
	VBROADCASTSD X15, Y15 // 0.5
	MOVQ $0x3ff0000000000000, AX
	VMOVQ AX, X14
	VBROADCASTSD X14, Y14 // 1
	MOVQ $0x8000000000000000, AX
	VMOVQ AX, X13
	VBROADCASTSD X13, Y13 // the sign bit: Go's float negation
	MOVQ m+0(FP), R8
	SHLQ $3, R8           // m in bytes
	MOVQ x+8(FP), SI
	MOVQ nn+16(FP), DI
	MOVQ z+24(FP), R9
	MOVQ hn+32(FP), R10
	MOVQ r+40(FP), R11
	MOVQ tz+48(FP), R12
	MOVQ tr+56(FP), R13
	MOVQ f+64(FP), R14
	MOVQ dhn+72(FP), AX
	MOVQ daz+80(FP), CX
	MOVQ gr+88(FP), DX
	XORQ BX, BX

	// Each operation's first operand (the one whose NaN survives when both
	// are NaN) is the one Go's compiled loop has first (go tool objdump).
gobj:
	VMOVUPD (SI)(BX*1), Y0    // x
	VMOVUPD (DI)(BX*1), Y1    // n
	VMOVUPD (R9)(BX*1), Y2    // z
	VSUBPD  Y1, Y0, Y3        // diff = x - n
	VMULPD  Y3, Y2, Y4        // z diff
	VADDPD  Y1, Y4, Y4        // F = n + z diff
	VMOVUPD Y4, (R14)(BX*1)
	VSUBPD  Y0, Y4, Y5        // dF = F - x
	VMULPD  Y3, Y5, Y6        // dz = diff dF
	VMULPD  Y5, Y2, Y7        // z dF
	VMOVUPD Y7, (DX)(BX*1)
	VXORPD  Y13, Y7, Y8       // -(z dF)
	VADDPD  Y5, Y8, Y8        // dn = dF + -(z dF), -(z dF) the first operand as Go compiles it (NaN signs)
	VMULPD  Y1, Y1, Y9        // n n
	VSUBPD  Y9, Y14, Y9       // 1 - n n
	VMULPD  Y9, Y8, Y9        // da_n = (1 - n n) dn
	VMOVUPD (R10)(BX*1), Y10
	VMULPD  Y9, Y10, Y10      // dr = hn da_n
	VMOVUPD (R11)(BX*1), Y11
	VMULPD  Y9, Y11, Y11      // dhn = r da_n
	VMOVUPD Y11, (AX)(BX*1)
	VMOVUPD (R12)(BX*1), Y12
	VMULPD  Y12, Y12, Y12     // t_z t_z
	VSUBPD  Y12, Y14, Y12     // 1 - t_z²
	VMULPD  Y15, Y6, Y6       // 0.5 dz
	VMULPD  Y12, Y6, Y12
	VMULPD  Y15, Y12, Y12     // da_z
	VMOVUPD Y12, (CX)(BX*1)
	VMOVUPD (R13)(BX*1), Y0
	VMULPD  Y0, Y0, Y0        // t_r t_r
	VSUBPD  Y0, Y14, Y0       // 1 - t_r²
	VMULPD  Y15, Y10, Y10     // 0.5 dr
	VMULPD  Y0, Y10, Y0
	VMULPD  Y15, Y0, Y0       // da_r
	VMOVUPD Y0, (R13)(BX*1)
	ADDQ    $32, BX
	CMPQ    BX, R8
	JLT     gobj
	VZEROUPPER
	RET

// func gruRank2K(h, i int, S, p *float64, cpe float64)
TEXT ·gruRank2K(SB), NOSPLIT, $0-40
	MOVQ h+0(FP), R8
	MOVQ i+8(FP), R9
	MOVQ S+16(FP), SI
	MOVQ p+24(FP), DI
	VBROADCASTSD cpe+32(FP), Y7
	LEAQ (R8*8), R10          // a row, in bytes
	LEAQ (SI)(R9*8), AX       // S[k h + i], k = 0
	XORQ BX, BX

	// Each entry as the loops form it: (p_k cpe) + S, p_k and then the
	// product the first operands, as Go compiles them (which NaN survives).
r2col:
	CMPQ   BX, R9
	JGE    r2row
	VMOVSD (DI)(BX*8), X0
	VMULSD X7, X0, X0
	VADDSD (AX), X0, X0
	VMOVSD X0, (AX)
	ADDQ   R10, AX
	INCQ   BX
	JMP    r2col

r2row:
	// AX is at S[i h + i]
	LEAQ (DI)(R9*8), DX       // p_i
	MOVQ R8, CX
	SUBQ R9, CX               // h - i entries
	XORQ R11, R11

r2vec:
	LEAQ    4(R11), R12
	CMPQ    R12, CX
	JGT     r2tail
	VMOVUPD (DX)(R11*8), Y0
	VMULPD  Y7, Y0, Y0
	VADDPD  (AX)(R11*8), Y0, Y0
	VMOVUPD Y0, (AX)(R11*8)
	MOVQ    R12, R11
	JMP     r2vec

r2tail:
	CMPQ   R11, CX
	JGE    r2diag
	VMOVSD (DX)(R11*8), X0
	VMULSD X7, X0, X0
	VADDSD (AX)(R11*8), X0, X0
	VMOVSD X0, (AX)(R11*8)
	INCQ   R11
	JMP    r2tail

r2diag:
	VMOVSD (DX), X0
	VMULSD X7, X0, X0
	VADDSD (AX), X0, X0
	VMOVSD X0, (AX)
	VZEROUPPER
	RET
