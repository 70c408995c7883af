/* libm's exp, as the compiled core (_core.pyx) and the lockstep kernel (_lockstep_kernel.h)
 * both call it: one home, so that both get the same double from the same function.
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

#if defined(__GLIBC__) && defined(__x86_64__)
__asm__(".symver ls_exp, __exp_finite@GLIBC_2.15");
extern double ls_exp(double);
#else
#define ls_exp exp
#endif

#endif
