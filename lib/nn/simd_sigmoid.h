/* Vector sigmoid for the direct kernels, one instruction set per inclusion (included by
 * conv_direct_kernel.h, with its macros set: VEC, SET1, FMA, MUL, ADD, SUB, MIN, MAX, DIV,
 * ROUND (to nearest integer) and EXP2N(p, n) = p * 2^n for integer-valued n in
 * [-124, 127]).
 *
 * sigmoid(a) = 1 / (1 + e^-a). e^t is 2^n * e^r with n = round(t / ln 2) and
 * r = t - n ln 2 in [-ln2/2, ln2/2] (ln 2 split in two so that n ln 2 is exact), and e^r
 * its Taylor polynomial of degree 6 (truncation below 1.3e-7 relative, float rounding
 * size), so the result is within a few ulp of 1/(1 + expf(-a)) and far inside the 1e-4
 * parity tolerance. t is clamped to [-86, 88]: e^t stays a normal float, and the
 * sigmoid's error from the clamp is below 1e-37. */
static inline __attribute__((always_inline)) TARGET VEC ISA(sigmoid_v)(VEC a)
{
    VEC t = MIN(MAX(SUB(SET1(0.0f), a), SET1(-86.0f)), SET1(88.0f));
    VEC n = ROUND(MUL(t, SET1(1.44269504088896341f)));
    VEC r = FMA(n, SET1(-0.693145751953125f), t); /* ln 2 high part: n * it is exact */
    r = FMA(n, SET1(-1.428606765330187e-6f), r);  /* ln 2 low part */
    VEC p = SET1(1.0f / 720.0f);
    p = FMA(p, r, SET1(1.0f / 120.0f));
    p = FMA(p, r, SET1(1.0f / 24.0f));
    p = FMA(p, r, SET1(1.0f / 6.0f));
    p = FMA(p, r, SET1(0.5f));
    p = FMA(p, r, SET1(1.0f));
    p = FMA(p, r, SET1(1.0f));
    return DIV(SET1(1.0f), ADD(SET1(1.0f), EXP2N(p, n)));
}

/* y[i] = sigmoid(x[i]) for n floats (y may be x). */
/* unused: not every file including this calls it */
static TARGET __attribute__((unused)) void ISA(sigmoid_array)(const float* x, float* y, size_t n)
{
    size_t i = 0;
    for (; i + VW <= n; i += VW)
        STORE(y + i, ISA(sigmoid_v)(LOAD(x + i)));
    if (i < n)
        MSTORE(y + i, ISA(sigmoid_v)(MLOAD(x + i, (int)(n - i))), (int)(n - i));
}
