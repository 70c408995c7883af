/* libm's exp, as the compiled core (_core.pyx) and the lockstep kernel (_lockstep_kernel.h)
 * both call it: one home, so that both get the same double from the same function; and
 * exp_neg, which computes it four or eight arguments at a time where it can, with the same
 * result (exp_neg4: at most four, for the scalar core).
 *
 * On x86-64 glibc the unversioned ``exp`` an extension binds at run time is exp@GLIBC_2.2.5,
 * the SVID compatibility wrapper: it returns the value of __ieee754_exp, except that it
 * returns HUGE_VAL for an overflow and 0.0 for an underflow to zero, which are the values
 * __ieee754_exp returns there itself (math/w_exp_compat.c, sysdeps/ieee754/dbl-64/e_exp.c).
 * __exp_finite@GLIBC_2.15 is __ieee754_exp itself (the same ifunc, resolved to the same FMA
 * or SSE2 build): the same value, without the wrapper's third of the time.  Elsewhere, plain
 * exp.  (The extensions are linked with -lm for the versioned symbol.) */
#ifndef LSTM97_EXP_H
#define LSTM97_EXP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver ls_exp, __exp_finite@GLIBC_2.15");
extern double ls_exp(double);
#else
#define ls_exp exp
#endif

/* exp, four arguments at a time, bit for bit glibc's on x86-64 where glibc runs its FMA build
 * (CPUs with AVX2 and FMA).  glibc's exp since 2.28 (sysdeps/ieee754/dbl-64/e_exp.c, from
 * ARM's optimized-routines) writes x = k ln2/128 + r, kd = x * 128/ln2 + 0x1.8p52 rounded
 * (k in its low bits), r = x - kd ln2/128 in two steps (ln2/128 as a high and a low part),
 * and exp(x) = s (1 + tmp) with s = 2^(k/128) from a table (tools/exp_table.py computes it)
 * and tmp = t + r + r^2 (C2 + r C3) + r^4 (C4 + r C5).  Its FMA build fuses exactly the
 * multiply-adds written as fma below (read from its object code), so the same operations on
 * the same constants (the polynomial's, 128/ln2, ln2/128's two parts and the shift: facts
 * of the algorithm, as glibc 2.36's libm.so holds them) give the same double.  Below 2^-54
 * in magnitude it returns 1 + x, as glibc does; the rest of the arguments outside its main
 * path go to exp_large (below) or to libm's exp, one at a time.  exp_neg uses it only when
 * ls_vexp_init has found it equal to ls_exp on a sweep of arguments (so on no other libm),
 * and never in a build with LS_BASELINE_ONLY defined. */
#if defined(__GLIBC__) && defined(__x86_64__) && !defined(LS_BASELINE_ONLY)
#define LS_HAVE_VEXP 1
#include <immintrin.h>
#include "_exp_table.h"

static int ls_vexp_on = 0;

/* exp(v) for 512 <= v < 1024 and 1024 <= |v| < 2^1024, from the main path's tmp and sbits, as
 * glibc's exp returns it.  For 512 <= |v| < 1024 glibc takes its ``specialcase``, since scale's
 * exponent may have left the double's range; for k > 0 (v >= 512) it moves scale down by 2^1009
 * and returns 2^1009 (scale + scale tmp), one fma in its FMA build (inf above the overflow
 * threshold).  (For k < 0 it rounds its subnormal results with care: those lanes, rare in the
 * nets, go to libm's exp.)  For |v| >= 1024 it returns 0 (v < 0) or inf (v > 0), the values of
 * its underflow and overflow helpers.  The operations are those of glibc 2.36's object code, and
 * ls_vexp_check compares every class with ls_exp. */
__attribute__((target("avx2,fma"), always_inline))
static inline __m256d exp_large(__m256d v, __m256d tmp, __m256i sbits, __m256i huge)
{
    const __m256i down = _mm256_set1_epi64x((long long)0xc0f0000000000000ULL);      /* -(1009 << 52) */
    __m256d scale = _mm256_castsi256_pd(_mm256_add_epi64(sbits, down));
    __m256d y = _mm256_mul_pd(_mm256_fmadd_pd(scale, tmp, scale), _mm256_set1_pd(0x1p1009));
    __m256d flow = _mm256_andnot_pd(_mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_LT_OQ), _mm256_set1_pd(INFINITY));
    return _mm256_blendv_pd(y, flow, _mm256_castsi256_pd(huge));
}

__attribute__((target("avx2,fma"), noinline))
static void exp_neg_vector(double *restrict out, const double *restrict x, ptrdiff_t n)
{
    const __m256d inv_ln2n = _mm256_set1_pd(0x1.71547652b82fep7), shift = _mm256_set1_pd(0x1.8p52);
    const __m256d neg_ln2hin = _mm256_set1_pd(-0x1.62e42fefa0000p-8);
    const __m256d neg_ln2lon = _mm256_set1_pd(-0x1.cf79abc9e3b3ap-47);
    const __m256d c2 = _mm256_set1_pd(0x1.ffffffffffdbdp-2), c3 = _mm256_set1_pd(0x1.555555555543cp-3);
    const __m256d c4 = _mm256_set1_pd(0x1.55555cf172b91p-5), c5 = _mm256_set1_pd(0x1.1111167a4d017p-7);
    const __m256i sign = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
    const __m256i low = _mm256_set1_epi64x(0x3c9 - 1), high = _mm256_set1_epi64x(0x408);
    const __m256i top_mask = _mm256_set1_epi64x(0x7ff), idx_mask = _mm256_set1_epi64x(127);
    const __m256i high_tiny = _mm256_set1_epi64x(0x3c9);
    const __m256d one = _mm256_set1_pd(1.0);
    for (ptrdiff_t i = 0; i + 4 <= n; i += 4) {
        __m256d v = _mm256_castsi256_pd(_mm256_xor_si256(_mm256_castpd_si256(_mm256_loadu_pd(x + i)), sign));
        __m256i abstop = _mm256_and_si256(_mm256_srli_epi64(_mm256_castpd_si256(v), 52), top_mask);
        /* lanes on the main path: 0x3c9 <= abstop < 0x408 */
        __m256i main_path = _mm256_and_si256(_mm256_cmpgt_epi64(abstop, low), _mm256_cmpgt_epi64(high, abstop));
        __m256d kd = _mm256_fmadd_pd(v, inv_ln2n, shift);
        __m256i ki = _mm256_castpd_si256(kd);
        kd = _mm256_sub_pd(kd, shift);
        __m256d r = _mm256_fmadd_pd(kd, neg_ln2hin, v);
        r = _mm256_fmadd_pd(kd, neg_ln2lon, r);
        /* each lane's (t_j, s_j) pair in one 16-byte load, then transposed: on Zen 3 four
         * loads are faster than two gathers */
        int64_t j[4] __attribute__((aligned(32)));
        _mm256_store_si256((__m256i *)j, _mm256_and_si256(ki, idx_mask));
        __m256i p02 = _mm256_set_m128i(_mm_load_si128((const __m128i *)(ls_exp_table + 2 * j[2])),
                                       _mm_load_si128((const __m128i *)(ls_exp_table + 2 * j[0])));
        __m256i p13 = _mm256_set_m128i(_mm_load_si128((const __m128i *)(ls_exp_table + 2 * j[3])),
                                       _mm_load_si128((const __m128i *)(ls_exp_table + 2 * j[1])));
        __m256d tail = _mm256_castsi256_pd(_mm256_unpacklo_epi64(p02, p13));
        __m256i sbits = _mm256_add_epi64(_mm256_unpackhi_epi64(p02, p13), _mm256_slli_epi64(ki, 45));
        __m256d r2 = _mm256_mul_pd(r, r);
        __m256d tmp = _mm256_fmadd_pd(_mm256_fmadd_pd(r, c3, c2), r2, _mm256_add_pd(r, tail));
        tmp = _mm256_fmadd_pd(_mm256_mul_pd(r2, r2), _mm256_fmadd_pd(r, c5, c4), tmp);
        __m256d scale = _mm256_castsi256_pd(sbits);
        __m256d res = _mm256_fmadd_pd(scale, tmp, scale);
        /* |x| < 2^-54 (as an idle lane's zeros): 1 + x, as glibc returns there */
        __m256i tiny = _mm256_cmpgt_epi64(high_tiny, abstop);
        res = _mm256_blendv_pd(res, _mm256_add_pd(one, v), _mm256_castsi256_pd(tiny));
        int off = 0xf & ~_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_or_si256(main_path, tiny)));
        if (off) {
            /* off the main path: 512 <= -x < 1024 and 1024 <= |x| < 2^1024 go to exp_large
             * (above), the rest to libm */
            __m256i huge = _mm256_and_si256(_mm256_cmpgt_epi64(abstop, high), _mm256_cmpgt_epi64(top_mask, abstop));
            __m256i large = _mm256_or_si256(huge, _mm256_andnot_si256(
                _mm256_cmpgt_epi64(_mm256_setzero_si256(), _mm256_castpd_si256(v)), _mm256_cmpeq_epi64(abstop, high)));
            res = _mm256_blendv_pd(res, exp_large(v, tmp, sbits, huge), _mm256_castsi256_pd(large));
            off &= ~_mm256_movemask_pd(_mm256_castsi256_pd(large));
        }
        _mm256_storeu_pd(out + i, res);
        while (off) {
            int l = __builtin_ctz(off);
            out[i + l] = ls_exp(-x[i + l]);
            off &= off - 1;
        }
    }
}

#define LS_AVX512 "avx512f,avx512dq,fma"

/* exp_large, eight lanes at a time: the same operations. */
__attribute__((target(LS_AVX512), always_inline))
static inline __m512d exp_large8(__m512d v, __m512d tmp, __m512i sbits, __mmask8 huge)
{
    const __m512i down = _mm512_set1_epi64((long long)0xc0f0000000000000ULL);        /* -(1009 << 52) */
    __m512d scale = _mm512_castsi512_pd(_mm512_add_epi64(sbits, down));
    __m512d y = _mm512_mul_pd(_mm512_fmadd_pd(scale, tmp, scale), _mm512_set1_pd(0x1p1009));
    __m512d flow = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(v, _mm512_setzero_pd(), _CMP_LT_OQ),
                                        _mm512_set1_pd(INFINITY), _mm512_setzero_pd());
    return _mm512_mask_blend_pd(huge, y, flow);
}

/* exp_neg_vector, eight arguments at a time where the CPU has AVX-512: the same operations
 * on the same constants and the same loads of the table's pairs. */
__attribute__((target(LS_AVX512), noinline))
static void exp_neg_vector8(double *restrict out, const double *restrict x, ptrdiff_t n)
{
    const __m512d inv_ln2n = _mm512_set1_pd(0x1.71547652b82fep7), shift = _mm512_set1_pd(0x1.8p52);
    const __m512d neg_ln2hin = _mm512_set1_pd(-0x1.62e42fefa0000p-8);
    const __m512d neg_ln2lon = _mm512_set1_pd(-0x1.cf79abc9e3b3ap-47);
    const __m512d c2 = _mm512_set1_pd(0x1.ffffffffffdbdp-2), c3 = _mm512_set1_pd(0x1.555555555543cp-3);
    const __m512d c4 = _mm512_set1_pd(0x1.55555cf172b91p-5), c5 = _mm512_set1_pd(0x1.1111167a4d017p-7);
    const __m512i sign = _mm512_set1_epi64((long long)0x8000000000000000ULL);
    const __m512i low = _mm512_set1_epi64(0x3c9 - 1), high = _mm512_set1_epi64(0x408);
    const __m512i top_mask = _mm512_set1_epi64(0x7ff), idx_mask = _mm512_set1_epi64(127);
    const __m512i high_tiny = _mm512_set1_epi64(0x3c9);
    const __m512d one = _mm512_set1_pd(1.0);
    for (ptrdiff_t i = 0; i + 8 <= n; i += 8) {
        __m512d v = _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(_mm512_loadu_pd(x + i)), sign));
        __m512i abstop = _mm512_and_si512(_mm512_srli_epi64(_mm512_castpd_si512(v), 52), top_mask);
        __mmask8 main_path = _mm512_cmpgt_epi64_mask(abstop, low) & _mm512_cmpgt_epi64_mask(high, abstop);
        __m512d kd = _mm512_fmadd_pd(v, inv_ln2n, shift);
        __m512i ki = _mm512_castpd_si512(kd);
        kd = _mm512_sub_pd(kd, shift);
        __m512d r = _mm512_fmadd_pd(kd, neg_ln2hin, v);
        r = _mm512_fmadd_pd(kd, neg_ln2lon, r);
        /* the pairs loaded and transposed, as exp_neg_vector does: on Zen 4, where gathers
         * are microcoded, two of them took about half of this loop's time (perf annotate) */
        int64_t j[8] __attribute__((aligned(64)));
        _mm512_store_si512((__m512i *)j, _mm512_and_si512(ki, idx_mask));
#define LS_PAIR(k) _mm_load_si128((const __m128i *)(ls_exp_table + 2 * j[k]))
        __m512i even = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set_m128i(LS_PAIR(2), LS_PAIR(0))),
                                          _mm256_set_m128i(LS_PAIR(6), LS_PAIR(4)), 1);
        __m512i odd = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set_m128i(LS_PAIR(3), LS_PAIR(1))),
                                         _mm256_set_m128i(LS_PAIR(7), LS_PAIR(5)), 1);
#undef LS_PAIR
        __m512d tail = _mm512_castsi512_pd(_mm512_unpacklo_epi64(even, odd));
        __m512i sbits = _mm512_add_epi64(_mm512_unpackhi_epi64(even, odd), _mm512_slli_epi64(ki, 45));
        __m512d r2 = _mm512_mul_pd(r, r);
        __m512d tmp = _mm512_fmadd_pd(_mm512_fmadd_pd(r, c3, c2), r2, _mm512_add_pd(r, tail));
        tmp = _mm512_fmadd_pd(_mm512_mul_pd(r2, r2), _mm512_fmadd_pd(r, c5, c4), tmp);
        __m512d scale = _mm512_castsi512_pd(sbits);
        __m512d res = _mm512_fmadd_pd(scale, tmp, scale);
        __mmask8 tiny = _mm512_cmpgt_epi64_mask(high_tiny, abstop);
        res = _mm512_mask_blend_pd(tiny, res, _mm512_add_pd(one, v));
        unsigned off = 0xffu & ~(unsigned)(main_path | tiny);
        if (off) {
            __mmask8 huge = _mm512_cmpgt_epi64_mask(abstop, high) & _mm512_cmpgt_epi64_mask(top_mask, abstop);
            __mmask8 large = huge | (_mm512_cmpge_epi64_mask(_mm512_castpd_si512(v), _mm512_setzero_si512())
                                     & _mm512_cmpeq_epi64_mask(abstop, high));
            res = _mm512_mask_blend_pd(large, res, exp_large8(v, tmp, sbits, huge));
            off &= ~(unsigned)large;
        }
        _mm512_storeu_pd(out + i, res);
        while (off) {
            int l = __builtin_ctz(off);
            out[i + l] = ls_exp(-x[i + l]);
            off &= off - 1;
        }
    }
}

/* Arguments that cover every table entry, both signs, every binade of the main path and its
 * edges, the special case (with its subnormal results) and the rest (tiny, huge, inf, NaN):
 * 1 if ``vexp`` (exp_neg_vector or exp_neg_vector8) equals ls_exp on all. */
static int ls_vexp_check(void (*vexp)(double *restrict, const double *restrict, ptrdiff_t))
{
    enum { M = 4096 };
    double x[M], got[M];
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < M; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(state >> 11) * 0x1p-53;                      /* [0, 1) */
        if (i % 8 == 0)
            x[i] = (u * 2.0 - 1.0) * 1100.0;                              /* the whole range */
        else if (i % 8 == 4)
            x[i] = (state >> 63 ? -1.0 : 1.0) * (708.0 + u * 38.0);       /* subnormal results */
        else if (i % 4 == 1)
            x[i] = (u * 2.0 - 1.0) * 40.0;                                /* the nets' range */
        else if (i % 4 == 2)
            x[i] = ldexp(u + 0.5, (int)(state >> 58) - 60);               /* tiny to 2^3 */
        else
            x[i] = (double)(i / 4 - 512) * 0x1.62e42fefa39efp-8 + (u - 0.5) * 1e-6;   /* k ln2/128 */
    }
    const double special[] = {0.0, -0.0, 0x1p-54, -0x1p-54, 0x1.fffffffffffffp-55, 512.0, -512.0,
                              0x1.fffffffffffffp8, -0x1.fffffffffffffp8, 709.78, -745.2, 1e308,
                              -1e308, INFINITY, -INFINITY, NAN, 1023.9999, -1023.9999, 1024.0,
                              -1024.0, 0x1.fffffffffffffp9, -0x1.fffffffffffffp9, 708.3964185322641,
                              -709.782712893384, 709.7827128933841, 745.1332191019411,
                              745.1332191019412, 744.44007192138126, 1500.0, -1500.0};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        x[i * 4 + 3] = special[i];
    vexp(got, x, M);
    for (int i = 0; i < M; i++) {
        double want = ls_exp(-x[i]);
        if (memcmp(&want, &got[i], sizeof want) != 0)
            return 0;
    }
    return 1;
}

/* How many arguments at a time the vector exp takes: 4 where the CPU has AVX2 and FMA and it
 * equals libm's, 8 where it also has AVX-512 F and DQ and the 8-wide one equals libm's too, 0
 * (off) elsewhere. */
static int ls_vexp_init(void)
{
    __builtin_cpu_init();
    ls_vexp_on = 0;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && ls_vexp_check(exp_neg_vector)) {
        ls_vexp_on = 4;
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
            && ls_vexp_check(exp_neg_vector8))
            ls_vexp_on = 8;
    }
    return ls_vexp_on;
}
static const int ls_vexp_built = 1;
#else
static int ls_vexp_init(void) { return 0; }
static const int ls_vexp_on = 0;
static const int ls_vexp_built = 0;
#endif

/* out[i] = exp(-x[i]) for i < n, ``width`` arguments at a time (8, 4, or 0: libm's one by
 * one), at most ls_vexp_on: the vector exp for the first multiple of 4 (8 at a time, then 4,
 * where it is 8 wide), libm's for the rest. */
static inline __attribute__((always_inline)) void exp_neg_at(double *restrict out, const double *restrict x,
                                                            ptrdiff_t n, int width)
{
    ptrdiff_t i = 0;
#ifdef LS_HAVE_VEXP
    if (width == 8 && n >= 8) {
        i = n & ~(ptrdiff_t)7;
        exp_neg_vector8(out, x, i);
    }
    if (width && n - i >= 4) {
        ptrdiff_t m = (n - i) & ~(ptrdiff_t)3;
        exp_neg_vector(out + i, x + i, m);
        i += m;
    }
#else
    (void)width;
#endif
    for (; i < n; i++)
        out[i] = ls_exp(-x[i]);
}

/* exp_neg_at as wide as the CPU allows: what the lanes call. */
static inline __attribute__((always_inline)) void exp_neg(double *restrict out, const double *restrict x,
                                                         ptrdiff_t n)
{
    exp_neg_at(out, x, n, ls_vexp_on);
}

/* exp_neg_at at most 4 wide: what the scalar core calls.  Its calls are short (a step's units)
 * and its step waits for them; there the 8-wide exp made the adding net's step about 10%
 * slower (bench_lockstep's scalar core, alternated builds), where in the lanes it is faster. */
static inline __attribute__((always_inline)) void exp_neg4(double *restrict out, const double *restrict x,
                                                          ptrdiff_t n)
{
    exp_neg_at(out, x, n, ls_vexp_on < 4 ? ls_vexp_on : 4);
}

#endif
