/* random.h: the dropout generator, shared by the reference interpreter and
 * the kernels compiled into every model, so both draw the same masks.
 *
 * Counter-based: the decision for element i of dropout site `salt` at train
 * step `step` of an instance whose key is `key` is a pure function of those
 * four numbers, so any partition of the elements over threads gives the same
 * mask.  The mixer is the 64-bit finaliser of SplitMix64 (Steele, Lea and
 * Flood, 2014) applied to the packed inputs. */
#ifndef DM_RANDOM_H
#define DM_RANDOM_H
#include <stdint.h>

static inline uint64_t dm_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* A uniform number in [0, 1) with 24 random bits. */
static inline float dm_dropout_uniform(uint32_t key, uint32_t step, uint32_t salt, uint32_t i) {
    uint64_t h = dm_mix64(((uint64_t)key << 32 | step) ^ dm_mix64((uint64_t)salt << 32 | i));
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

/* Keep the element (scale it by 1/(1-rate)) when this is 1, drop it when 0. */
static inline int dm_dropout_keep(uint32_t key, uint32_t step, uint32_t salt, uint32_t i, float rate) {
    return dm_dropout_uniform(key, step, salt, i) >= rate;
}
#endif
