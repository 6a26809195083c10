/* The C ABI against a C reference, bit for bit (a NaN matches any NaN: the
 * payload is not specified): every function, float, double, f16 and bf16, in place and
 * out of place, every length 0..130 at several misalignments, special values
 * (+-0, +-inf, NaN payloads, subnormals) and awkward alphas; guard elements
 * around forward_into's destination and the mask must survive; every error
 * status leaves the buffers untouched (compared with memcmp). Built by
 * .ci/capi against include/leaky_relu.h and the static (then the shared)
 * library. Prints "N passed, 0 failed". */
#include "leaky_relu.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long passed, failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (cond) {                                                       \
            passed++;                                                     \
        } else {                                                          \
            failed++;                                                     \
            if (failed <= 20) {                                           \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);      \
                fprintf(stderr, __VA_ARGS__);                             \
                fputc('\n', stderr);                                      \
            }                                                             \
        }                                                                 \
    } while (0)

static uint64_t rng = 0x1eaf2e10u;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define MAXN 130
#define PAD 8
#define NMASK ((MAXN + 7) / 8)

/* Everything below is written once per element type by this macro. */
#define DEFINE_TESTS(T, U, S, NAN_BITS, SNAN_BITS)                                              \
    static U bits_##S(T v) { U u; memcpy(&u, &v, sizeof u); return u; }                        \
    static T from_bits_##S(U u) { T v; memcpy(&v, &u, sizeof v); return v; }                   \
    /* Bit-identical, or both NaN (payloads are not specified). */                             \
    static int same_##S(T a, T b) { return bits_##S(a) == bits_##S(b) || (a != a && b != b); } \
    static T ref_fwd_##S(T x, T a) { return x > 0 ? x : a * x; }                              \
    static T ref_bwd_##S(T g, T x, T a) { return x > 0 ? g : g * a; }                         \
    static T value_##S(void) {                                                                 \
        static const U specials[] = {0, (U)1 << (sizeof(U) * 8 - 1), NAN_BITS, SNAN_BITS, 1,   \
                                     (U)1 << (sizeof(U) * 8 - 1) | 1, NAN_BITS | 5};          \
        uint64_t r = next();                                                                   \
        switch (r % 8) {                                                                       \
        case 0: return from_bits_##S(specials[(r >> 8) % 7]);                                 \
        case 1: return (T)INFINITY * ((r >> 8) & 1 ? 1 : -1);                                 \
        case 2: return from_bits_##S((U)(r >> 3));                                            \
        default: return (T)((int64_t)(r >> 20) % 2001 - 1000) / (T)64;                         \
        }                                                                                      \
    }                                                                                          \
    static void fill_##S(T *v, size_t n) { for (size_t i = 0; i < n; i++) v[i] = value_##S(); } \
    static int all_same_##S(const T *a, const T *b, size_t n) {                               \
        for (size_t i = 0; i < n; i++) if (!same_##S(a[i], b[i])) return 0;                   \
        return 1;                                                                              \
    }                                                                                          \
    static void ref_mask_##S(const T *x, size_t n, uint8_t *m) {                               \
        memset(m, 0, (n + 7) / 8);                                                             \
        for (size_t i = 0; i < n; i++) if (x[i] > 0) m[i / 8] |= (uint8_t)(1u << (i % 8));     \
    }                                                                                          \
    static void sweep_##S(void) {                                                              \
        const T alphas[] = {(T)0.1, (T)-0.5, (T)0, -(T)0, (T)1, (T)2.5, (T)INFINITY,          \
                            -(T)INFINITY, from_bits_##S(NAN_BITS), (T)1e-30};                   \
        T x[MAXN + 2 * PAD], g[MAXN + 2 * PAD], d[MAXN + 2 * PAD], want[MAXN], before[MAXN + 2 * PAD]; \
        uint8_t m[NMASK + 2], mref[NMASK];                                                     \
        for (size_t ai = 0; ai < sizeof alphas / sizeof alphas[0]; ai++) {                     \
            T a = alphas[ai];                                                                  \
            for (size_t n = 0; n <= MAXN; n++) {                                               \
                size_t off = n % 4; /* misaligned against a vector */                          \
                fill_##S(x, MAXN + 2 * PAD);                                                   \
                fill_##S(g, MAXN + 2 * PAD);                                                   \
                fill_##S(d, MAXN + 2 * PAD);                                                   \
                T *xs = x + PAD + off, *gs = g + PAD, *ds = d + PAD + (n % 3);                 \
                memcpy(before, d, sizeof d);                                                   \
                /* forward in place */                                                         \
                for (size_t i = 0; i < n; i++) want[i] = ref_fwd_##S(xs[i], a);                \
                memcpy(ds, xs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_forward_##S(ds, n, a) == LEAKY_RELU_OK, #S " forward");       \
                CHECK(all_same_##S(ds, want, n), #S " forward n=%zu alpha=%g", n, (double)a);  \
                /* forward_into, and dst == src in place */                                    \
                fill_##S(d, MAXN + 2 * PAD);                                                   \
                memcpy(before, d, sizeof d);                                                   \
                CHECK(leaky_relu_forward_into_##S(ds, xs, n, a) == LEAKY_RELU_OK, #S " into"); \
                CHECK(all_same_##S(ds, want, n), #S " forward_into n=%zu", n);                 \
                CHECK(all_same_##S(d, before, ds - d) &&                                       \
                          all_same_##S(ds + n, before + (ds - d) + n,                          \
                                       (size_t)(MAXN + 2 * PAD - (ds - d)) - n),                \
                      #S " forward_into guard n=%zu", n);                                      \
                memcpy(ds, xs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_forward_into_##S(ds, ds, n, a) == LEAKY_RELU_OK, #S " alias"); \
                CHECK(all_same_##S(ds, want, n), #S " forward_into dst==src n=%zu", n);        \
                /* backward, backward_into */                                                  \
                for (size_t i = 0; i < n; i++) want[i] = ref_bwd_##S(gs[i], xs[i], a);         \
                memcpy(ds, gs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_backward_##S(ds, xs, n, a) == LEAKY_RELU_OK, #S " backward"); \
                CHECK(all_same_##S(ds, want, n), #S " backward n=%zu alpha=%g", n, (double)a); \
                fill_##S(ds, n);                                                               \
                CHECK(leaky_relu_backward_into_##S(ds, gs, xs, n, a) == LEAKY_RELU_OK, #S);    \
                CHECK(all_same_##S(ds, want, n), #S " backward_into n=%zu", n);                \
                memcpy(ds, gs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_backward_into_##S(ds, ds, xs, n, a) == LEAKY_RELU_OK, #S);    \
                CHECK(all_same_##S(ds, want, n), #S " backward_into dx==dy n=%zu", n);         \
                /* backward_from_output: the output decides, alpha >= 0 only */                \
                T y[MAXN];                                                                     \
                for (size_t i = 0; i < n; i++) y[i] = ref_fwd_##S(xs[i], a);                   \
                memcpy(ds, gs, n * sizeof(T));                                                 \
                int st = leaky_relu_backward_from_output_##S(ds, y, n, a);                     \
                if (a >= 0) {                                                                  \
                    CHECK(st == LEAKY_RELU_OK && all_same_##S(ds, want, n),                    \
                          #S " backward_from_output n=%zu alpha=%g", n, (double)a);            \
                } else {                                                                       \
                    CHECK(st == LEAKY_RELU_ERR_INVALID_SLOPE && all_same_##S(ds, gs, n),       \
                          #S " backward_from_output refuses alpha=%g", (double)a);             \
                }                                                                              \
                fill_##S(ds, n);                                                               \
                memcpy(before, ds, n * sizeof(T));                                             \
                st = leaky_relu_backward_from_output_into_##S(ds, gs, y, n, a);                \
                CHECK(a >= 0 ? st == LEAKY_RELU_OK && all_same_##S(ds, want, n)                \
                             : st == LEAKY_RELU_ERR_INVALID_SLOPE && memcmp(ds, before, n * sizeof(T)) == 0, \
                      #S " backward_from_output_into n=%zu", n);                               \
                memcpy(ds, gs, n * sizeof(T));                                                 \
                st = leaky_relu_backward_from_output_into_##S(ds, ds, y, n, a);                \
                CHECK(a >= 0 ? st == LEAKY_RELU_OK && all_same_##S(ds, want, n)                \
                             : st == LEAKY_RELU_ERR_INVALID_SLOPE && memcmp(ds, gs, n * sizeof(T)) == 0, \
                      #S " backward_from_output_into dx==dy n=%zu", n);                        \
                /* forward_with_mask, then backward_from_mask == backward */                   \
                size_t ml = leaky_relu_mask_len(n);                                            \
                CHECK(ml == (n + 7) / 8, "mask_len");                                          \
                memset(m, 0xa5, sizeof m);                                                     \
                memcpy(ds, xs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_forward_with_mask_##S(ds, m + 1, n, ml, a) == LEAKY_RELU_OK, #S); \
                ref_mask_##S(xs, n, mref);                                                     \
                CHECK(memcmp(m + 1, mref, ml) == 0 && m[0] == 0xa5 && m[ml + 1] == 0xa5,       \
                      #S " forward_with_mask mask n=%zu", n);                                  \
                for (size_t i = 0; i < n; i++) y[i] = ref_fwd_##S(xs[i], a);                   \
                CHECK(all_same_##S(ds, y, n), #S " forward_with_mask values n=%zu", n);        \
                memset(m, 0xa5, sizeof m);                                                     \
                CHECK(leaky_relu_forward_with_mask_into_##S(ds, xs, m + 1, n, ml, a) == 0, #S); \
                CHECK(memcmp(m + 1, mref, ml) == 0 && all_same_##S(ds, y, n) && m[0] == 0xa5 && \
                          m[ml + 1] == 0xa5,                                                   \
                      #S " forward_with_mask_into n=%zu", n);                                  \
                if (n % 8) m[ml] |= (uint8_t)(0xffu << (n % 8)); /* garbage in unused bits */  \
                memcpy(ds, gs, n * sizeof(T));                                                 \
                CHECK(leaky_relu_backward_from_mask_##S(ds, m + 1, n, ml, a) == 0, #S);        \
                CHECK(all_same_##S(ds, want, n), #S " backward_from_mask n=%zu", n);           \
                fill_##S(ds, n);                                                               \
                CHECK(leaky_relu_backward_from_mask_into_##S(ds, gs, m + 1, n, ml, a) == 0, #S); \
                CHECK(all_same_##S(ds, want, n), #S " backward_from_mask_into n=%zu", n);      \
            }                                                                                  \
        }                                                                                      \
    }                                                                                          \
    static void errors_##S(void) {                                                             \
        T buf[16], src[16], keep[16], src_keep[16];                                            \
        uint8_t mask[2] = {0x11, 0x22};                                                        \
        fill_##S(buf, 16);                                                                     \
        fill_##S(src, 16);                                                                     \
        memcpy(keep, buf, sizeof buf);                                                         \
        memcpy(src_keep, src, sizeof src);                                                     \
        /* NULL: fine with len 0, refused otherwise */                                         \
        CHECK(leaky_relu_forward_##S(NULL, 0, 0.5) == LEAKY_RELU_OK, #S " NULL, 0");           \
        CHECK(leaky_relu_forward_into_##S(NULL, NULL, 0, 0.5) == LEAKY_RELU_OK, #S);           \
        CHECK(leaky_relu_backward_from_mask_##S(NULL, NULL, 0, 0, 0.5) == 0, #S);              \
        CHECK(leaky_relu_forward_##S(NULL, 3, 0.5) == LEAKY_RELU_ERR_NULL, #S " NULL, 3");     \
        CHECK(leaky_relu_backward_##S(buf, NULL, 3, 0.5) == LEAKY_RELU_ERR_NULL, #S);          \
        CHECK(leaky_relu_forward_with_mask_##S(buf, NULL, 9, 2, 0.5) == LEAKY_RELU_ERR_NULL, #S); \
        /* misaligned */                                                                       \
        T *odd = (T *)(uintptr_t)((char *)buf + 1);                                            \
        CHECK(leaky_relu_forward_##S(odd, 2, 0.5) == LEAKY_RELU_ERR_MISALIGNED, #S " misaligned"); \
        CHECK(leaky_relu_backward_into_##S(buf, src, (const T *)(uintptr_t)((const char *)src + 2), 2, 0.5) \
                  == LEAKY_RELU_ERR_MISALIGNED, #S);                                           \
        /* overlap: only dst == src may alias */                                               \
        CHECK(leaky_relu_forward_into_##S(buf + 1, buf, 8, 0.5) == LEAKY_RELU_ERR_OVERLAP, #S " overlap"); \
        CHECK(leaky_relu_forward_into_##S(buf, buf + 7, 8, 0.5) == LEAKY_RELU_ERR_OVERLAP, #S); \
        CHECK(leaky_relu_backward_##S(buf, buf, 8, 0.5) == LEAKY_RELU_ERR_OVERLAP, #S " grad==input"); \
        CHECK(leaky_relu_backward_into_##S(buf, src, buf + 4, 8, 0.5) == LEAKY_RELU_ERR_OVERLAP, #S); \
        CHECK(leaky_relu_backward_into_##S(buf, buf, buf, 8, 0.5) == LEAKY_RELU_ERR_OVERLAP, #S); \
        CHECK(leaky_relu_forward_with_mask_##S(buf, (uint8_t *)buf + 1, 8, 1, 0.5)             \
                  == LEAKY_RELU_ERR_OVERLAP, #S " mask overlaps");                             \
        CHECK(leaky_relu_forward_with_mask_into_##S(buf, src, (uint8_t *)src, 8, 1, 0.5)       \
                  == LEAKY_RELU_ERR_OVERLAP, #S " mask overlaps src");                         \
        CHECK(leaky_relu_backward_from_mask_##S(buf, (const uint8_t *)buf, 8, 1, 0.5)          \
                  == LEAKY_RELU_ERR_OVERLAP, #S);                                              \
        /* read-only buffers may overlap each other */                                         \
        CHECK(leaky_relu_backward_into_##S(buf, src, src, 8, 0.5) == LEAKY_RELU_OK, #S " dy==input"); \
        memcpy(buf, keep, sizeof buf);                                                         \
        /* slope, mask length, size */                                                         \
        CHECK(leaky_relu_backward_from_output_##S(buf, src, 8, -0.5) == LEAKY_RELU_ERR_INVALID_SLOPE, #S); \
        CHECK(leaky_relu_backward_from_output_##S(buf, src, 8, from_bits_##S(NAN_BITS))         \
                  == LEAKY_RELU_ERR_INVALID_SLOPE, #S);                                        \
        CHECK(leaky_relu_forward_with_mask_##S(buf, mask, 9, 1, 0.5) == LEAKY_RELU_ERR_MASK_LENGTH, #S); \
        CHECK(leaky_relu_backward_from_mask_##S(buf, mask, 9, 3 - 2, 0.5) == LEAKY_RELU_ERR_MASK_LENGTH, #S); \
        CHECK(leaky_relu_forward_##S(buf, SIZE_MAX / 2, 0.5) == LEAKY_RELU_ERR_TOO_LONG, #S " too long"); \
        CHECK(leaky_relu_forward_##S(buf, (size_t)PTRDIFF_MAX / sizeof(T) + 1, 0.5)           \
                  == LEAKY_RELU_ERR_TOO_LONG, #S " more than PTRDIFF_MAX bytes");              \
        CHECK(memcmp(buf, keep, sizeof buf) == 0 && mask[0] == 0x11 && mask[1] == 0x22 &&      \
                  memcmp(src, src_keep, sizeof src) == 0,                                      \
              #S " nothing written on error");                                                 \
    }

DEFINE_TESTS(float, uint32_t, f32, 0x7fc00000u, 0x7f800001u)
DEFINE_TESTS(double, uint64_t, f64, 0x7ff8000000000000u, 0x7ff0000000000001u)

/* The halves, as uint16_t bits. The C reference widens to float (exact),
 * multiplies in float (exact for two f16; for bf16 see the crate's proof) and
 * rounds to the half with its own integer code, to nearest, ties to even. */
static float h2f(uint16_t h) {
    uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, b;
    float v;
    if (e == 0) {
        v = (float)m * 0x1p-24f;
        return s ? -v : v;
    }
    b = s | (e == 31 ? 0x7f800000u | (m << 13) : ((e + 112) << 23) | (m << 13));
    memcpy(&v, &b, sizeof v);
    return v;
}
static uint16_t f2h(float f) {
    uint32_t x, a, sign;
    memcpy(&x, &f, sizeof x);
    sign = (x >> 16) & 0x8000;
    a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00 | ((a >> 13) & 0x3ff));
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00);
    if (a >= 0x38800000u) {
        uint32_t r = a - 0x38000000u;
        return (uint16_t)(sign | ((r + 0xfff + ((r >> 13) & 1)) >> 13));
    }
    /* Subnormal or zero: a = m * 2^(e - 150); the f16 quantum is 2^-24. */
    uint32_t e = a >> 23, m = (a & 0x7fffff) | (e ? 0x800000u : 0);
    int shift = 126 - (int)(e ? e : 1);
    if (shift > 25) return (uint16_t)sign;
    uint32_t n = m >> shift, rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    n += rem > halfway || (rem == halfway && (n & 1));
    return (uint16_t)(sign | n);
}
static float b2f(uint16_t h) {
    uint32_t b = (uint32_t)h << 16;
    float v;
    memcpy(&v, &b, sizeof v);
    return v;
}
static uint16_t f2b(float f) {
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);
    return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

#define DEFINE_HALF_TESTS(S, W, N)                                                             \
    static int same_##S(uint16_t a, uint16_t b) { return a == b || (W(a) != W(a) && W(b) != W(b)); } \
    static int all_same_##S(const uint16_t *a, const uint16_t *b, size_t n) {                 \
        for (size_t i = 0; i < n; i++) if (!same_##S(a[i], b[i])) return 0;                   \
        return 1;                                                                              \
    }                                                                                          \
    static uint16_t value_##S(void) {                                                          \
        static const uint16_t specials[] = {0, 0x8000, 1, 0x8001, 0x3c00, 0xbc00, 0xffff, 0x7fff}; \
        uint64_t r = next();                                                                   \
        return r % 4 == 0 ? specials[(r >> 8) % 8] : r % 4 == 1 ? (uint16_t)(r >> 16)          \
                                                   : N((float)((int64_t)(r >> 20) % 2001 - 1000) / 64); \
    }                                                                                          \
    /* Garbage in a destination before an _into call, so one that writes nothing fails. */    \
    static void refill_##S(uint16_t *v, size_t n) { for (size_t i = 0; i < n; i++) v[i] = value_##S(); } \
    static uint16_t ref_fwd_##S(uint16_t x, uint16_t a) {                                      \
        return W(x) > 0 ? x : N(W(a) * W(x));                                                  \
    }                                                                                          \
    static uint16_t ref_bwd_##S(uint16_t g, uint16_t x, uint16_t a) {                          \
        return W(x) > 0 ? g : N(W(g) * W(a));                                                  \
    }                                                                                          \
    static void sweep_##S(void) {                                                              \
        const float alphas[] = {0.1f, -0.5f, 0.0f, -0.0f, 1.0f, 2.5f, 0.01f, 1e-30f,          \
                                INFINITY, -INFINITY, NAN};                                     \
        uint16_t x[MAXN + PAD], g[MAXN + PAD], d[MAXN + PAD], y[MAXN], want[MAXN], keep[MAXN]; \
        uint8_t m[NMASK + 2], mref[NMASK];                                                     \
        for (size_t ai = 0; ai < sizeof alphas / sizeof alphas[0]; ai++) {                     \
            float af = alphas[ai];                                                             \
            uint16_t a = N(af); /* the library rounds the float slope the same way */          \
            for (size_t n = 0; n <= MAXN; n++) {                                               \
                uint16_t *xs = x + n % 5, *gs = g + n % 3, *ds = d + n % 7;                    \
                for (size_t i = 0; i < MAXN + PAD; i++) {                                      \
                    x[i] = value_##S();                                                        \
                    g[i] = value_##S();                                                        \
                    d[i] = 0x5a5a; /* a guard outside [ds, ds + n), checked at the end */     \
                }                                                                              \
                for (size_t i = 0; i < n; i++) want[i] = ref_fwd_##S(xs[i], a);                \
                memcpy(ds, xs, n * 2);                                                         \
                CHECK(leaky_relu_forward_##S(ds, n, af) == 0 && all_same_##S(ds, want, n),     \
                      #S " forward n=%zu alpha=%g", n, (double)af);                            \
                refill_##S(ds, n);                                                             \
                CHECK(leaky_relu_forward_into_##S(ds, xs, n, af) == 0 && all_same_##S(ds, want, n), \
                      #S " forward_into n=%zu", n);                                            \
                memcpy(ds, xs, n * 2);                                                         \
                CHECK(leaky_relu_forward_into_##S(ds, ds, n, af) == 0 && all_same_##S(ds, want, n), \
                      #S " forward_into dst==src n=%zu", n);                                   \
                memcpy(y, want, n * 2);                                                        \
                for (size_t i = 0; i < n; i++) want[i] = ref_bwd_##S(gs[i], xs[i], a);         \
                memcpy(ds, gs, n * 2);                                                         \
                CHECK(leaky_relu_backward_##S(ds, xs, n, af) == 0 && all_same_##S(ds, want, n), \
                      #S " backward n=%zu alpha=%g", n, (double)af);                           \
                refill_##S(ds, n);                                                             \
                CHECK(leaky_relu_backward_into_##S(ds, gs, xs, n, af) == 0 && all_same_##S(ds, want, n), \
                      #S " backward_into n=%zu", n);                                           \
                int ok = W(a) >= 0;                                                            \
                memcpy(ds, gs, n * 2);                                                         \
                int st = leaky_relu_backward_from_output_##S(ds, y, n, af);                    \
                CHECK(ok ? st == 0 && all_same_##S(ds, want, n)                                \
                         : st == LEAKY_RELU_ERR_INVALID_SLOPE && memcmp(ds, gs, n * 2) == 0,   \
                      #S " backward_from_output n=%zu alpha=%g", n, (double)af);               \
                refill_##S(ds, n);                                                             \
                memcpy(keep, ds, n * 2);                                                       \
                st = leaky_relu_backward_from_output_into_##S(ds, gs, y, n, af);               \
                CHECK(ok ? st == 0 && all_same_##S(ds, want, n)                                \
                         : st == LEAKY_RELU_ERR_INVALID_SLOPE && memcmp(ds, keep, n * 2) == 0, \
                      #S " backward_from_output_into n=%zu", n);                               \
                size_t ml = leaky_relu_mask_len(n);                                            \
                memset(m, 0xa5, sizeof m);                                                     \
                memset(mref, 0, sizeof mref);                                                  \
                for (size_t i = 0; i < n; i++) if (W(xs[i]) > 0) mref[i / 8] |= (uint8_t)(1u << (i % 8)); \
                refill_##S(ds, n);                                                             \
                CHECK(leaky_relu_forward_with_mask_into_##S(ds, xs, m + 1, n, ml, af) == 0 &&  \
                          all_same_##S(ds, y, n) && memcmp(m + 1, mref, ml) == 0 &&           \
                          m[0] == 0xa5 && m[ml + 1] == 0xa5,                                   \
                      #S " forward_with_mask_into n=%zu", n);                                  \
                memcpy(ds, xs, n * 2);                                                         \
                CHECK(leaky_relu_forward_with_mask_##S(ds, m + 1, n, ml, af) == 0 &&           \
                          all_same_##S(ds, y, n) && memcmp(m + 1, mref, ml) == 0,              \
                      #S " forward_with_mask n=%zu", n);                                       \
                memcpy(ds, gs, n * 2);                                                         \
                CHECK(leaky_relu_backward_from_mask_##S(ds, m + 1, n, ml, af) == 0 &&          \
                          all_same_##S(ds, want, n),                                           \
                      #S " backward_from_mask n=%zu", n);                                      \
                refill_##S(ds, n);                                                             \
                CHECK(leaky_relu_backward_from_mask_into_##S(ds, gs, m + 1, n, ml, af) == 0 && \
                          all_same_##S(ds, want, n),                                           \
                      #S " backward_from_mask_into n=%zu", n);                                 \
                int guard = 1;                                                                 \
                for (uint16_t *p = d; p < d + MAXN + PAD; p++)                                 \
                    if ((p < ds || p >= ds + n) && *p != 0x5a5a) guard = 0;                    \
                CHECK(guard, #S " nothing written outside dst n=%zu", n);                      \
            }                                                                                  \
        }                                                                                      \
        uint16_t buf[8] = {0}, buf_keep[8];                                                    \
        memcpy(buf_keep, buf, sizeof buf);                                                     \
        CHECK(leaky_relu_forward_##S((uint16_t *)(uintptr_t)((char *)buf + 1), 2, 0.5f)        \
                  == LEAKY_RELU_ERR_MISALIGNED, #S " misaligned");                             \
        CHECK(leaky_relu_forward_##S(NULL, 3, 0.5f) == LEAKY_RELU_ERR_NULL, #S " NULL");       \
        CHECK(leaky_relu_forward_into_##S(buf + 1, buf, 4, 0.5f) == LEAKY_RELU_ERR_OVERLAP, #S " overlap"); \
        CHECK(leaky_relu_backward_from_output_##S(buf, buf + 4, 4, -0.25f)                     \
                  == LEAKY_RELU_ERR_INVALID_SLOPE, #S " slope");                               \
        CHECK(memcmp(buf, buf_keep, sizeof buf) == 0, #S " nothing written on error");         \
    }

DEFINE_HALF_TESTS(f16, h2f, f2h)
DEFINE_HALF_TESTS(bf16, b2f, f2b)

int main(void) {
    const char *k = leaky_relu_kernel_name();
    CHECK(k != NULL && strlen(k) > 0, "kernel name");
    printf("kernel: %s\n", k);
    for (int32_t s = -1; s <= 8; s++) {
        const char *msg = leaky_relu_error_message(s);
        CHECK(msg != NULL && strlen(msg) > 0, "message for %d", (int)s);
    }
    CHECK(strcmp(leaky_relu_error_message(LEAKY_RELU_OK), "success") == 0, "success message");
    CHECK(strcmp(leaky_relu_error_message(99), "unknown status") == 0, "unknown status");
    const char *diag = leaky_relu_diagnostics();
    CHECK(diag != NULL && strstr(diag, "kernel: ") != NULL && strstr(diag, k) != NULL,
          "diagnostics names the kernel");
    CHECK(leaky_relu_diagnostics() == diag, "diagnostics is computed once");
    sweep_f32();
    sweep_f64();
    errors_f32();
    errors_f64();
    sweep_f16();
    sweep_bf16();
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed != 0;
}
