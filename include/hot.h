/* hot.h - inlining attributes for the event loop's code (make profile
 * measures what they buy).  PS_HOT forces a small step into its caller: no
 * call, no register saves.  PS_COLD keeps a rare path out of line, so that
 * the hot function calling it keeps its code and registers as they were.
 * Plain `static inline` and nothing on compilers without GNU attributes. */
#ifndef PATROLSIM_HOT_H
#define PATROLSIM_HOT_H

#if defined(__GNUC__)
#define PS_HOT static inline __attribute__((always_inline))
#define PS_COLD __attribute__((noinline))
#else
#define PS_HOT static inline
#define PS_COLD
#endif

#endif
