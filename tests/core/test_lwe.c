/* Tests of the LWE scheme (lwe_params.c, lwe_keys.c, lwe_crypt.c).
 *
 * Decryption is not exact by design: z' = z + U^T e1 + S^T e2 + e3 (mod p), an error of
 * standard deviation sj_lwe_noise_std (about 250 for medium). So the round trip is tested
 * (a) statistically, by the measured error std against theory for every preset, and
 * (b) exactly, white-box: with the public-seed mode the test regenerates e1, e2, e3,
 * rebuilds U = P + A S from the key internals and checks z' = z + noise (mod p) value by
 * value. The rest checks ciphertext uniformity, fresh randomness, the public-seed attack,
 * multi-block payloads, key files and argument checking. */
#include "sj_test.h"

#include "../../lib/core/lwe_internal.h"

#include <securejscc/keyfile.h>
#include <sys/stat.h>
#include <unistd.h>

/* Stops the case when a call fails, printing its status and sj_last_error(). */
#define REQUIRE_OK(call)                                                                    \
    do {                                                                                    \
        sj_status st_ = (call);                                                             \
        SJ_REQUIRE(st_ == SJ_OK, "%s: %d (%s)", #call, (int)st_, sj_last_error());          \
    } while (0)

static const uint8_t seed1[SJ_LWE_PUBLIC_SEED_BYTES] = { 42, 1, 2, 3 };
static const uint8_t seed2[SJ_LWE_PUBLIC_SEED_BYTES] = { 43, 1, 2, 3 };

static void tmppath(char* buf, size_t n, const char* name)
{
    const char* t = getenv("SJ_TEST_TMP");
    snprintf(buf, n, "%s/test_lwe_%ld_%s", t && *t ? t : "/tmp", (long)getpid(), name);
}

static double chi2_crit(double df) /* upper 1e-4 quantile, Wilson-Hilferty */
{
    double t = 2.0 / (9.0 * df);
    return df * pow(1.0 - t + 3.719 * sqrt(t), 3.0);
}

/* Fills z with uniform values < p from a seeded generator (reproducible plaintexts). */
static void fill_uniform(uint16_t* z, size_t k, unsigned p, uint64_t stream)
{
    sj_csprng* r = NULL;
    if (sj_csprng_create_seeded(seed2, stream, &r) != SJ_OK)
        abort();
    for (size_t i = 0; i < k; i++)
        z[i] = (uint16_t)sj_csprng_uniform(r, p);
    sj_csprng_destroy(r);
}

static int centred(int d, int p) /* d mod p in [-p/2, p/2) */
{
    d %= p;
    if (d < 0)
        d += p;
    return d >= (p + 1) / 2 ? d - p : d;
}

SJ_TEST(params_presets_names_and_sizes)
{
    const char* names[] = { "toy", "low", "medium", "high" };
    const unsigned n[] = { 136, 192, 256, 320 }, p[] = { 2003, 4093, 4093, 4093 };
    const double s[] = { 13.01, 8.87, 8.35, 8.00 };
    for (int i = 0; i < 4; i++) {
        const sj_lwe_params* pp = sj_lwe_preset_params((sj_lwe_preset)i);
        SJ_REQUIRE(pp != NULL, "preset %d missing", i);
        SJ_CHECK(strcmp(pp->name, names[i]) == 0 && pp->n1 == n[i] && pp->n2 == n[i] && pp->p == p[i] && pp->s == s[i],
                 "preset %d wrong", i);
        sj_lwe_preset got = SJ_LWE_TOY;
        SJ_CHECK(sj_lwe_preset_from_name(names[i], &got) == SJ_OK && got == (sj_lwe_preset)i, "name %s", names[i]);
        double v = s[i] * s[i] / (2 * M_PI);
        SJ_CHECK_NEAR(sj_lwe_noise_std(pp), sqrt(2.0 * n[i] * v * v + v), 1e-6);
    }
    SJ_CHECK(SJ_LWE_DEFAULT_PRESET == SJ_LWE_MEDIUM, "default preset");
    SJ_CHECK(fabs(sj_lwe_noise_std(sj_lwe_preset_params(SJ_LWE_MEDIUM)) - 251.1) < 0.5, "medium noise std");
    SJ_CHECK(sj_lwe_preset_params((sj_lwe_preset)4) == NULL && sj_lwe_preset_params((sj_lwe_preset)-1) == NULL,
             "bad id");
    SJ_CHECK(isnan(sj_lwe_noise_std(NULL)), "NULL params");
    const sj_lwe_params* med = sj_lwe_preset_params(SJ_LWE_MEDIUM);
    SJ_CHECK(sj_lwe_num_blocks(384, 1000) == 3 && sj_lwe_num_blocks(512, 512) == 1 && sj_lwe_num_blocks(512, 513) == 2,
             "num_blocks");
    SJ_CHECK(sj_lwe_num_blocks(0, 10) == 0 && sj_lwe_num_blocks(10, 0) == 0, "num_blocks degenerate");
    SJ_CHECK(sj_lwe_d_length(med, 384, 1000) == 768 && sj_lwe_d_length(med, 196608, 196608) == 256, "d_length");
    SJ_CHECK(sj_lwe_d_length(NULL, 384, 1000) == 0, "d_length NULL");
}

/* Standard deviation of (X mod p) centred, X ~ N(0, sd^2): what the black-box test can
 * measure when the error wraps (it does for toy, whose p/2 is only 2.3 sd). */
static double wrapped_std(double sd, int p)
{
    double num = 0, den = 0;
    for (int x = -p / 2; x < (p + 1) / 2; x++) {
        double w = 0;
        for (int m = -10; m <= 10; m++)
            w += exp(-0.5 * pow((x + (double)m * p) / sd, 2));
        num += (double)x * x * w;
        den += w;
    }
    return sqrt(num / den);
}

SJ_TEST(round_trip_error_std_matches_theory_for_every_preset)
{
    /* Values of one block share e1 and e2, so the error variance of a block fluctuates
     * with |e1|^2 + |e2|^2 (about 6 %); many short blocks average that out. */
    enum { KEYS = 3, L = 200, K = 4100 }; /* 21 blocks per payload, the last one short */
    static uint16_t z[K], c[K], zz[K], d[21 * 320];
    for (int pr = SJ_LWE_TOY; pr <= SJ_LWE_HIGH; pr++) {
        const sj_lwe_params* pp = sj_lwe_preset_params((sj_lwe_preset)pr);
        double sum2 = 0;
        long n = 0;
        for (int key = 0; key < KEYS; key++) {
            sj_lwe_pubkey* pub = NULL;
            sj_lwe_seckey* sec = NULL;
            sj_lwe_encryptor* e = NULL;
            sj_lwe_decryptor* dec = NULL;
            REQUIRE_OK(sj_lwe_keygen((sj_lwe_preset)pr, L, &pub, &sec));
            REQUIRE_OK(sj_lwe_encryptor_create(pub, K, &e));
            REQUIRE_OK(sj_lwe_decryptor_create(sec, K, &dec));
            fill_uniform(z, K, pp->p, (uint64_t)(pr * 10 + key));
            SJ_CHECK(sj_lwe_encrypt(e, z, c, d) == SJ_OK, "%s", sj_last_error());
            SJ_CHECK(sj_lwe_decrypt(dec, c, d, zz) == SJ_OK, "%s", sj_last_error());
            for (int i = 0; i < K; i++) {
                SJ_CHECK(zz[i] < pp->p, "output %u >= p", zz[i]);
                double err = centred((int)zz[i] - (int)z[i], (int)pp->p);
                sum2 += err * err;
                n++;
            }
            sj_lwe_decryptor_destroy(dec);
            sj_lwe_encryptor_destroy(e);
            sj_lwe_pubkey_destroy(pub);
            sj_lwe_seckey_destroy(sec);
        }
        double measured = sqrt(sum2 / n), theory = sj_lwe_noise_std(pp), wrapped = wrapped_std(theory, (int)pp->p);
        printf("  noise std %-6s: measured %.1f, theory %.1f (wrapped mod p: %.1f), %ld values\n", pp->name, measured,
               theory, wrapped, n);
        SJ_CHECK(fabs(measured / wrapped - 1) < 0.10, "%s: measured %.1f vs %.1f", pp->name, measured, wrapped);
        if (pp->p == 4093) /* wrapping is negligible at 8 sd: compare with the raw theory too */
            SJ_CHECK(fabs(measured / theory - 1) < 0.10, "%s: measured %.1f vs theory %.1f", pp->name, measured,
                     theory);
    }
}

/* White box: z' - z must equal U^T e1 + S^T e2 + e3 exactly, block by block. */
static void exact_round_trip(sj_lwe_preset pr, size_t l, size_t k, int* sj_failed_)
{
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* e = NULL;
    sj_lwe_decryptor* dec = NULL;
    REQUIRE_OK(sj_lwe_keygen(pr, l, &pub, &sec));
    const sj_lwe_params* pp = pub->params;
    const int n1 = (int)pp->n1, n2 = (int)pp->n2, p = (int)pp->p, T = (int)sj_dgauss_tail_bound(pp->s);
    size_t dl = sj_lwe_d_length(pp, l, k);
    uint16_t *z = malloc(k * 2), *c = malloc(k * 2), *zz = malloc(k * 2), *d = malloc(dl * 2);
    int32_t *e1 = malloc(n1 * 4), *e2 = malloc(n2 * 4), *e3 = malloc(l * 4), *U = malloc((size_t)n1 * l * 4);
    SJ_REQUIRE(z && c && zz && d && e1 && e2 && e3 && U, "oom");
    /* U = P + A S (mod p), centred, must be a small Gaussian matrix if P = U - A S. */
    int umax = 0;
    for (int i = 0; i < n1; i++)
        for (size_t j = 0; j < l; j++) {
            int64_t a = pub->P[i * l + j];
            for (int r = 0; r < n2; r++)
                a += (int64_t)pub->A[i * n2 + r] * sec->S[r * l + j];
            U[i * l + j] = centred((int)(a % p), p);
            umax = abs(U[i * l + j]) > umax ? abs(U[i * l + j]) : umax;
        }
    SJ_CHECK(umax <= T, "U = P + AS has |entry| %d > %d: P is not U - AS", umax, T);
    REQUIRE_OK(sj_lwe_encryptor_create(pub, k, &e));
    REQUIRE_OK(sj_lwe_decryptor_create(sec, k, &dec));
    fill_uniform(z, k, (unsigned)p, 99);
    SJ_CHECK(sj_lwe_encrypt_insecure_public_seed(e, seed1, 7, z, c, d) == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(sj_lwe_decrypt(dec, c, d, zz) == SJ_OK, "%s", sj_last_error());
    /* Regenerate e in the documented order: per block e1 (n1), e2 (n2), e3 (len). */
    sj_csprng* r = NULL;
    sj_dgauss* g = NULL;
    REQUIRE_OK(sj_csprng_create_seeded(seed1, 7, &r));
    REQUIRE_OK(sj_dgauss_create(pp->s, &g));
    long bad = 0;
    double sum2 = 0;
    for (size_t off = 0, b = 0; off < k; off += l, b++) {
        size_t len = k - off < l ? k - off : l;
        sj_dgauss_sample(g, r, e1, n1);
        sj_dgauss_sample(g, r, e2, n2);
        sj_dgauss_sample(g, r, e3, len);
        for (size_t j = 0; j < len; j++) {
            int64_t noise = e3[j];
            for (int i = 0; i < n1; i++)
                noise += (int64_t)U[i * l + j] * e1[i];
            for (int i = 0; i < n2; i++)
                noise += (int64_t)sec->S[i * l + j] * e2[i];
            bad += zz[off + j] != sj_lwe_mod((int64_t)z[off + j] + noise, p);
            sum2 += (double)noise * (double)noise;
        }
        for (int j = 0; j < n2; j++) { /* and d = A^T e1 + e2 */
            int64_t dv = e2[j];
            for (int i = 0; i < n1; i++)
                dv += (int64_t)pub->A[i * n2 + j] * e1[i];
            bad += d[b * n2 + j] != sj_lwe_mod(dv, p);
        }
    }
    SJ_CHECK(bad == 0, "%s l=%zu k=%zu: %ld values differ from z + U^T e1 + S^T e2 + e3", pp->name, l, k, bad);
    if (k >= 2000) { /* the unwrapped error, which the black-box test cannot see for toy */
        double raw = sqrt(sum2 / (double)k), theory = sj_lwe_noise_std(pp);
        printf("  raw (unwrapped) noise std %s: %.1f, theory %.1f, %zu values\n", pp->name, raw, theory, k);
        SJ_CHECK(fabs(raw / theory - 1) < 0.10, "%s: raw noise std %.1f vs theory %.1f", pp->name, raw, theory);
    }
    sj_csprng_destroy(r);
    sj_dgauss_destroy(g);
    free(z), free(c), free(zz), free(d), free(e1), free(e2), free(e3), free(U);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

SJ_TEST(exact_round_trip_white_box)
{
    exact_round_trip(SJ_LWE_MEDIUM, 384, 1000, sj_failed_); /* 3 blocks, last of 232 */
    exact_round_trip(SJ_LWE_TOY, 100, 3000, sj_failed_);
    exact_round_trip(SJ_LWE_HIGH, 64, 65, sj_failed_); /* last block of 1 */
    exact_round_trip(SJ_LWE_LOW, 1, 3, sj_failed_);
}

/* The two vectorised kernels (lwe_kernels.c, the loader's pick for this CPU) against
 * plain definitions: the reduction at multiples of p, either side of them, at 0 and at
 * +-(2^30 - 1); the matrix-vector product for row counts around its four-row passes and
 * lengths around any vector width, with the largest centred entries. */
SJ_TEST(kernels_match_definitions)
{
    static const int32_t ps[] = { 2003, 4093 };
    for (size_t k = 0; k < 2; k++) {
        const int32_t p = ps[k];
        int32_t x[4096];
        uint16_t out[4096];
        size_t n = 0;
        const int64_t edges[] = { 0, 1, -1, (1 << 30) - 1, -((1 << 30) - 1) };
        for (size_t i = 0; i < 5; i++)
            x[n++] = (int32_t)edges[i];
        for (int64_t m = -300; m <= 300; m++)
            for (int dlt = -1; dlt <= 1; dlt++)
                x[n++] = (int32_t)(m * 98317 * p / 130 + dlt); /* spread over +-9.3e8 */
        for (int64_t m = -400; m <= 400; m += 7)
            for (int dlt = -1; dlt <= 1; dlt++)
                x[n++] = (int32_t)(m * p + dlt);
        sj_lwe_reduce(out, x, n, p);
        long bad = 0;
        for (size_t i = 0; i < n; i++)
            bad += out[i] != sj_lwe_mod(x[i], p);
        SJ_CHECK(bad == 0, "p %d: %ld of %zu reductions differ from the definition", (int)p, bad, n);
    }
    const size_t ns[] = { 1, 3, 4, 7, 256 }, lens[] = { 1, 15, 17, 64, 100 };
    for (size_t a = 0; a < 5; a++)
        for (size_t b = 0; b < 5; b++) {
            const size_t n = ns[a], len = lens[b], stride = len + 3;
            int16_t* M = malloc(n * stride * sizeof *M);
            int16_t w[256];
            int32_t acc[100], ref[100];
            for (size_t i = 0; i < n * stride; i++)
                M[i] = (int16_t)((i * 7919 % 4093) - 2046);
            for (size_t i = 0; i < n; i++)
                w[i] = (int16_t)((int)(i * 31 % 141) - 70);
            for (size_t j = 0; j < len; j++)
                acc[j] = ref[j] = (int32_t)j - 50;
            sj_lwe_gemv_rows(acc, M, stride, w, n, len);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < len; j++)
                    ref[j] += (int32_t)M[i * stride + j] * w[i];
            SJ_CHECK(memcmp(acc, ref, len * sizeof *acc) == 0, "gemv n %zu len %zu differs", n, len);
            free(M);
        }
}

SJ_TEST(soft_decryption_matches_hard_and_shifts_by_offset)
{
    enum { K = 700, L = 256 };
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* e = NULL;
    sj_lwe_decryptor* dec = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, L, &pub, &sec));
    REQUIRE_OK(sj_lwe_encryptor_create(pub, K, &e));
    REQUIRE_OK(sj_lwe_decryptor_create(sec, K, &dec));
    static uint16_t z[K], c[K], zh[K], d[3 * 256];
    static float cf[K], zs[K];
    fill_uniform(z, K, 4093, 5);
    z[0] = 0, z[1] = 4092;
    REQUIRE_OK(sj_lwe_encrypt(e, z, c, d));
    c[0] = 0, c[1] = 4092; /* exercise the wrap at both ends */
    REQUIRE_OK(sj_lwe_decrypt(dec, c, d, zh));
    for (int i = 0; i < K; i++)
        cf[i] = c[i];
    REQUIRE_OK(sj_lwe_decrypt_soft(dec, cf, d, zs));
    int bad = 0;
    for (int i = 0; i < K; i++)
        bad += zs[i] != (float)zh[i];
    SJ_CHECK(bad == 0, "%d soft outputs differ from hard ones on integer input", bad);
    const double offs[] = { 0.375, -0.25, 17.5, -1000.125, 4093.0 * 2 + 0.5, -4093.0 * 3 - 0.75 };
    for (size_t o = 0; o < sizeof offs / sizeof offs[0]; o++) {
        for (int i = 0; i < K; i++)
            cf[i] = (float)(c[i] + offs[o]);
        REQUIRE_OK(sj_lwe_decrypt_soft(dec, cf, d, zs));
        double worst = 0;
        for (int i = 0; i < K; i++) {
            SJ_CHECK(zs[i] >= 0 && zs[i] < 4093, "offset %g: output %g outside [0, p)", offs[o], zs[i]);
            double want = fmod(zh[i] + offs[o], 4093.0);
            want += want < 0 ? 4093 : 0;
            double diff = fabs(zs[i] - want);
            diff = diff > 2046 ? 4093 - diff : diff; /* 0 and p - tiny are the same point */
            worst = diff > worst ? diff : worst;
        }
        SJ_CHECK(worst < 2e-3, "offset %g: soft output off by %g", offs[o], worst);
    }
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

/* Bob's offset o = S^T d mod p is decryption of an all-zero ciphertext, and decryption is
 * c + o mod p, value for value; over payloads of several blocks (the last one short) and a
 * payload shorter than one block, for p = 4093 and p = 2003. */
SJ_TEST(decrypt_offset_is_decryption_of_zero)
{
    enum { K = 700, L = 256 };
    const sj_lwe_preset presets[2] = { SJ_LWE_MEDIUM, SJ_LWE_TOY };
    const size_t ks[2] = { K, 100 };
    for (int t = 0; t < 2; t++)
        for (int kk = 0; kk < 2; kk++) {
            const size_t k = ks[kk];
            sj_lwe_pubkey* pub = NULL;
            sj_lwe_seckey* sec = NULL;
            sj_lwe_encryptor* e = NULL;
            sj_lwe_decryptor* dec = NULL;
            REQUIRE_OK(sj_lwe_keygen(presets[t], L, &pub, &sec));
            REQUIRE_OK(sj_lwe_encryptor_create(pub, k, &e));
            REQUIRE_OK(sj_lwe_decryptor_create(sec, k, &dec));
            const unsigned p = sj_lwe_pubkey_params(pub)->p;
            static uint16_t z[K], c[K], zero[K], zz[K], zc[K], off[K], d[3 * 320];
            fill_uniform(z, k, p, 9);
            REQUIRE_OK(sj_lwe_encrypt(e, z, c, d));
            REQUIRE_OK(sj_lwe_decrypt_offset(dec, d, off));
            REQUIRE_OK(sj_lwe_decrypt(dec, zero, d, zz));
            REQUIRE_OK(sj_lwe_decrypt(dec, c, d, zc));
            int bad_zero = 0, bad_sum = 0, nonzero = 0;
            for (size_t i = 0; i < k; i++) {
                bad_zero += off[i] != zz[i] || off[i] >= p;
                bad_sum += zc[i] != (c[i] + off[i]) % p;
                nonzero += off[i] != 0;
            }
            SJ_CHECK(bad_zero == 0, "%s k %zu: %d offsets differ from decrypting zeros", sj_lwe_pubkey_params(pub)->name,
                     k, bad_zero);
            SJ_CHECK(bad_sum == 0, "%s k %zu: %d decryptions are not c + offset mod p",
                     sj_lwe_pubkey_params(pub)->name, k, bad_sum);
            SJ_CHECK(nonzero > (int)k / 2, "%s: offsets mostly 0 (%d of %zu nonzero)", sj_lwe_pubkey_params(pub)->name,
                     nonzero, k);
            sj_lwe_decryptor_destroy(dec);
            sj_lwe_encryptor_destroy(e);
            sj_lwe_pubkey_destroy(pub);
            sj_lwe_seckey_destroy(sec);
        }
}

static double chi2_uniform(const long* cnt, long n, unsigned p)
{
    unsigned nb = (p + 15) / 16;
    double chi2 = 0;
    for (unsigned b = 0; b < nb; b++) {
        double w = b == nb - 1 ? p - 16 * (nb - 1) : 16, ex = (double)n * w / p;
        chi2 += (cnt[b] - ex) * (cnt[b] - ex) / ex;
    }
    return chi2;
}

SJ_TEST(ciphertexts_are_uniform_even_for_zero_plaintext)
{
    enum { K = 512, FRAMES = 100 };
    for (int pr = SJ_LWE_TOY; pr <= SJ_LWE_MEDIUM; pr += 2) {
        sj_lwe_pubkey* pub = NULL;
        sj_lwe_seckey* sec = NULL;
        sj_lwe_encryptor* e = NULL;
        REQUIRE_OK(sj_lwe_keygen((sj_lwe_preset)pr, K, &pub, &sec));
        REQUIRE_OK(sj_lwe_encryptor_create(pub, K, &e));
        const unsigned p = pub->params->p, n2 = pub->params->n2, nb = (p + 15) / 16;
        static uint16_t z[K], c[K], d[256];
        memset(z, 0, sizeof z);
        long *cc = calloc(nb, sizeof(long)), *dc = calloc(nb, sizeof(long)), nc = 0, nd = 0;
        SJ_REQUIRE(cc && dc, "oom");
        for (int f = 0; f < FRAMES; f++) {
            REQUIRE_OK(sj_lwe_encrypt(e, z, c, d));
            for (int i = 0; i < K; i++)
                cc[c[i] / 16]++, nc++;
            for (unsigned i = 0; i < n2; i++)
                dc[d[i] / 16]++, nd++;
        }
        double x2c = chi2_uniform(cc, nc, p), x2d = chi2_uniform(dc, nd, p), crit = chi2_crit(nb - 1);
        SJ_CHECK(x2c < crit, "%s: c chi2 %.1f >= %.1f (df %u)", pub->params->name, x2c, crit, nb - 1);
        SJ_CHECK(x2d < crit, "%s: d chi2 %.1f >= %.1f (df %u)", pub->params->name, x2d, crit, nb - 1);
        free(cc), free(dc);
        sj_lwe_encryptor_destroy(e);
        sj_lwe_pubkey_destroy(pub);
        sj_lwe_seckey_destroy(sec);
    }
}

SJ_TEST(fresh_randomness_and_public_seed_attack)
{
    enum { K = 1000, L = 512 };
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* e = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, L, &pub, &sec));
    REQUIRE_OK(sj_lwe_encryptor_create(pub, K, &e));
    static uint16_t z[K], c1[K], c2[K], d1[512], d2[512], za[K];
    fill_uniform(z, K, 4093, 11);
    /* Secure mode: two encryptions of one plaintext share almost nothing. */
    REQUIRE_OK(sj_lwe_encrypt(e, z, c1, d1));
    REQUIRE_OK(sj_lwe_encrypt(e, z, c2, d2));
    int same_c = 0, same_d = 0;
    for (int i = 0; i < K; i++)
        same_c += c1[i] == c2[i];
    for (int i = 0; i < 512; i++)
        same_d += d1[i] == d2[i];
    SJ_CHECK(same_c < 10 && same_d < 10, "repeated encryption: %d c and %d d values equal", same_c, same_d);
    /* The attack against the secure mode: no better than chance (1/p). */
    REQUIRE_OK(sj_lwe_attack_public_seed(e, seed1, 0, c1, za));
    int hit = 0;
    for (int i = 0; i < K; i++)
        hit += za[i] == z[i];
    SJ_CHECK(hit < K / 100, "attack on the secure mode recovered %d of %d values", hit, K);
    /* Public-seed mode: deterministic in (seed, frame), and the attack is exact. */
    REQUIRE_OK(sj_lwe_encrypt_insecure_public_seed(e, seed1, 3, z, c1, d1));
    REQUIRE_OK(sj_lwe_encrypt_insecure_public_seed(e, seed1, 3, z, c2, d2));
    SJ_CHECK(memcmp(c1, c2, sizeof c1) == 0 && memcmp(d1, d2, sizeof d1) == 0, "public-seed mode not deterministic");
    REQUIRE_OK(sj_lwe_attack_public_seed(e, seed1, 3, c1, za));
    SJ_CHECK(memcmp(za, z, sizeof z) == 0, "attack with the public seed did not recover the plaintext");
    hit = 0;
    REQUIRE_OK(sj_lwe_attack_public_seed(e, seed1, 4, c1, za));
    for (int i = 0; i < K; i++)
        hit += za[i] == z[i];
    REQUIRE_OK(sj_lwe_attack_public_seed(e, seed2, 3, c1, za));
    for (int i = 0; i < K; i++)
        hit += za[i] == z[i];
    SJ_CHECK(hit < K / 50, "wrong frame or seed still recovered %d values", hit);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

SJ_TEST(multi_block_uses_each_blocks_own_d)
{
    enum { K = 1000, L = 384 };
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* e = NULL;
    sj_lwe_decryptor* dec = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, L, &pub, &sec));
    REQUIRE_OK(sj_lwe_encryptor_create(pub, K, &e));
    REQUIRE_OK(sj_lwe_decryptor_create(sec, K, &dec));
    SJ_CHECK(sj_lwe_d_length(pub->params, L, K) == 768, "d length");
    static uint16_t z[K], c[K], zz[K], d[768], dswap[768];
    fill_uniform(z, K, 4093, 12);
    REQUIRE_OK(sj_lwe_encrypt(e, z, c, d));
    REQUIRE_OK(sj_lwe_decrypt(dec, c, d, zz));
    const double sd = sj_lwe_noise_std(pub->params);
    int small[3] = { 0 };
    for (int i = 0; i < K; i++)
        small[i / L] += abs(centred(zz[i] - z[i], 4093)) < 3 * sd;
    SJ_CHECK(small[0] > 370 && small[1] > 370 && small[2] > 225, "own d: %d %d %d within 3 sd", small[0], small[1],
             small[2]);
    /* With blocks 0 and 2 given each other's d, those blocks decrypt to noise while the
     * middle one is unaffected (|err| < 3 sd has probability 0.37 for uniform error). */
    memcpy(dswap, d + 512, 512), memcpy(dswap + 256, d + 256, 512), memcpy(dswap + 512, d, 512);
    REQUIRE_OK(sj_lwe_decrypt(dec, c, dswap, zz));
    memset(small, 0, sizeof small);
    for (int i = 0; i < K; i++)
        small[i / L] += abs(centred(zz[i] - z[i], 4093)) < 3 * sd;
    SJ_CHECK(small[0] < 230 && small[1] > 370 && small[2] < 140, "swapped d: %d %d %d within 3 sd", small[0], small[1],
             small[2]);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

static long file_size(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

SJ_TEST(key_files_round_trip_modes_and_force)
{
    enum { L = 100 };
    char pubp[512], secp[512];
    tmppath(pubp, sizeof pubp, "rt.pub");
    tmppath(secp, sizeof secp, "rt.sec");
    unlink(pubp), unlink(secp);
    sj_lwe_pubkey *pub = NULL, *pub2 = NULL;
    sj_lwe_seckey *sec = NULL, *sec2 = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_LOW, L, &pub, &sec));
    REQUIRE_OK(sj_lwe_pubkey_save(pub, pubp, 0));
    REQUIRE_OK(sj_lwe_seckey_save(sec, secp, 0));
    struct stat st;
    SJ_CHECK(stat(secp, &st) == 0 && (st.st_mode & 0777) == 0600, "secret key mode %o", (unsigned)(st.st_mode & 0777));
    SJ_CHECK(stat(pubp, &st) == 0 && (st.st_mode & 0077) != 0077 && (st.st_mode & 0600) == 0600, "public key mode %o",
             (unsigned)(st.st_mode & 0777));
    /* Documented sizes (docs/key-files-lwe.md): 24 + 64 + payload + 32. */
    SJ_CHECK(file_size(pubp) == 24 + 64 + 2 * (192 * 192 + 192 * L) + 32, "public file size %ld", file_size(pubp));
    SJ_CHECK(file_size(secp) == 24 + 64 + 2 * (192 * L) + 32, "secret file size %ld", file_size(secp));
    REQUIRE_OK(sj_lwe_pubkey_load(pubp, &pub2));
    REQUIRE_OK(sj_lwe_seckey_load(secp, &sec2));
    SJ_CHECK(sj_lwe_pubkey_params(pub2) == sj_lwe_preset_params(SJ_LWE_LOW) &&
                 sj_lwe_seckey_params(sec2) == sj_lwe_preset_params(SJ_LWE_LOW),
             "params");
    SJ_CHECK(sj_lwe_pubkey_block_length(pub2) == L && sj_lwe_seckey_block_length(sec2) == L, "l");
    SJ_CHECK(memcmp(pub2->A, pub->A, 192 * 192 * 2) == 0 && memcmp(pub2->P, pub->P, 192 * L * 2) == 0, "A or P differ");
    SJ_CHECK(memcmp(sec2->S, sec->S, 192 * L * 2) == 0, "S differs");
    SJ_CHECK(memcmp(sj_lwe_pubkey_id(pub2), sj_lwe_pubkey_id(pub), 32) == 0 &&
                 memcmp(sj_lwe_seckey_id(sec2), sj_lwe_pubkey_id(pub), 32) == 0 &&
                 memcmp(sj_lwe_seckey_id(sec), sj_lwe_pubkey_id(pub), 32) == 0,
             "key ids differ");
    /* Overwrite only with force; the secret stays 0600 after a forced rewrite. */
    SJ_CHECK(sj_lwe_pubkey_save(pub, pubp, 0) == SJ_ERR_EXISTS, "public key overwritten without force");
    SJ_CHECK(sj_lwe_seckey_save(sec, secp, 0) == SJ_ERR_EXISTS, "secret key overwritten without force");
    SJ_CHECK(sj_last_error()[0] != '\0', "no detail for EXISTS");
    SJ_CHECK(sj_lwe_pubkey_save(pub2, pubp, 1) == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(sj_lwe_seckey_save(sec2, secp, 1) == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(stat(secp, &st) == 0 && (st.st_mode & 0777) == 0600, "mode %o after force", (unsigned)(st.st_mode & 0777));
    /* Keys from files still work together. */
    enum { K = 300 };
    static uint16_t z[K], c[K], zz[K], d[3 * 192];
    sj_lwe_encryptor* e = NULL;
    sj_lwe_decryptor* dec = NULL;
    REQUIRE_OK(sj_lwe_encryptor_create(pub2, K, &e));
    REQUIRE_OK(sj_lwe_decryptor_create(sec, K, &dec));
    fill_uniform(z, K, 4093, 13);
    SJ_CHECK(sj_lwe_encrypt(e, z, c, d) == SJ_OK && sj_lwe_decrypt(dec, c, d, zz) == SJ_OK, "%s", sj_last_error());
    int small = 0;
    for (int i = 0; i < K; i++)
        small += abs(centred(zz[i] - z[i], 4093)) < 1000;
    SJ_CHECK(small > 295, "loaded keys: only %d of %d values decrypt near the plaintext", small, K);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_pubkey_destroy(pub), sj_lwe_pubkey_destroy(pub2);
    sj_lwe_seckey_destroy(sec), sj_lwe_seckey_destroy(sec2);
    unlink(pubp), unlink(secp);
}

/* Copies a key file through the container API with one change, so that the checksum is
 * valid and only the LWE-level checks can catch it. */
enum { FORGE_N1, FORGE_HLEN, FORGE_PLEN, FORGE_BIGVAL, FORGE_ID };
static sj_status forge_and_load(const char* src, const char* dst, sj_keyfile_kind kind, int how)
{
    void *h = NULL, *pl = NULL;
    size_t hl = 0, pll = 0;
    sj_status st = sj_keyfile_read(src, kind, &h, &hl, &pl, &pll);
    if (st != SJ_OK)
        return st;
    uint8_t* hb = h;
    uint8_t* pb = pl;
    if (how == FORGE_N1)
        hb[4] ^= 1;
    else if (how == FORGE_HLEN)
        hl--;
    else if (how == FORGE_PLEN)
        pll -= 2;
    else if (how == FORGE_BIGVAL)
        pb[10] = 0x00, pb[11] = kind == SJ_KEYFILE_LWE_PUBLIC ? 0x10 : 0x02; /* 4096 >= p; S = 512 > T */
    else
        hb[40] ^= 0x80;
    st = sj_keyfile_write(dst, kind, h, hl, pl, pll, kind != SJ_KEYFILE_LWE_PUBLIC, 1);
    sj_keyfile_free(h, hl + (how == FORGE_HLEN));
    sj_keyfile_free(pl, pll + 2 * (how == FORGE_PLEN));
    if (st != SJ_OK)
        return st;
    if (kind == SJ_KEYFILE_LWE_PUBLIC) {
        sj_lwe_pubkey* k = NULL;
        st = sj_lwe_pubkey_load(dst, &k);
        sj_lwe_pubkey_destroy(k);
    } else {
        sj_lwe_seckey* k = NULL;
        st = sj_lwe_seckey_load(dst, &k);
        sj_lwe_seckey_destroy(k);
    }
    return st;
}

static int copy_damaged(const char* src, const char* dst, long cut, long flip)
{
    FILE* f = fopen(src, "rb");
    if (!f)
        return -1;
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (cut > 0)
        n -= (size_t)cut;
    if (flip >= 0)
        buf[flip] ^= 0x01;
    f = fopen(dst, "wb");
    if (!f)
        return -1;
    fwrite(buf, 1, n, f);
    fclose(f);
    return 0;
}

SJ_TEST(key_files_refuse_damage_wrong_kind_and_forgery)
{
    char pubp[512], secp[512], badp[512];
    tmppath(pubp, sizeof pubp, "dmg.pub");
    tmppath(secp, sizeof secp, "dmg.sec");
    tmppath(badp, sizeof badp, "dmg.bad");
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_TOY, 50, &pub, &sec));
    REQUIRE_OK(sj_lwe_pubkey_save(pub, pubp, 1));
    REQUIRE_OK(sj_lwe_seckey_save(sec, secp, 1));
    sj_lwe_pubkey* p2 = (sj_lwe_pubkey*)&p2;
    sj_lwe_seckey* s2 = (sj_lwe_seckey*)&s2;
    sj_clear_error();
    SJ_CHECK(sj_lwe_seckey_load(pubp, &s2) == SJ_ERR_FORMAT && s2 == NULL, "public file loaded as secret key");
    SJ_CHECK(sj_last_error()[0] != '\0', "no detail");
    SJ_CHECK(sj_lwe_pubkey_load(secp, &p2) == SJ_ERR_FORMAT && p2 == NULL, "secret file loaded as public key");
    SJ_CHECK(sj_lwe_pubkey_load("/nonexistent/dir/x.pub", &p2) == SJ_ERR_IO, "missing file");
    const char* files[2] = { pubp, secp };
    for (int w = 0; w < 2; w++) {
        sj_status st;
        int cp = copy_damaged(files[w], badp, 10, -1);
        SJ_REQUIRE(cp == 0, "copy");
        st = w ? sj_lwe_seckey_load(badp, &s2) : sj_lwe_pubkey_load(badp, &p2);
        SJ_CHECK(st == SJ_ERR_FORMAT, "%s truncated: %d (%s)", files[w], st, sj_last_error());
        cp = copy_damaged(files[w], badp, 0, 24 + 64 + 7);
        SJ_REQUIRE(cp == 0, "copy");
        st = w ? sj_lwe_seckey_load(badp, &s2) : sj_lwe_pubkey_load(badp, &p2);
        SJ_CHECK(st == SJ_ERR_CHECKSUM, "%s with a flipped byte: %d (%s)", files[w], st, sj_last_error());
        sj_keyfile_kind kind = w ? SJ_KEYFILE_LWE_SECRET : SJ_KEYFILE_LWE_PUBLIC;
        const char* what[] = { "n1 changed", "short header", "short payload", "value out of range", "key id changed" };
        for (int how = FORGE_N1; how <= FORGE_ID; how++) {
            if (how == FORGE_ID && w == 1)
                continue; /* a secret file's id is only checked against its public key's */
            st = forge_and_load(files[w], badp, kind, how);
            SJ_CHECK(st == SJ_ERR_FORMAT, "%s forged (%s): %d (%s)", files[w], what[how], st, sj_last_error());
        }
        SJ_CHECK(w ? s2 == NULL : p2 == NULL, "output set on failure");
    }
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
    unlink(pubp), unlink(secp), unlink(badp);
}

SJ_TEST(mismatched_pair_is_detectable_by_key_id)
{
    sj_lwe_pubkey *pa = NULL, *pb = NULL;
    sj_lwe_seckey *sa = NULL, *sb = NULL;
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, 16, &pa, &sa));
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, 16, &pb, &sb));
    SJ_CHECK(memcmp(sj_lwe_pubkey_id(pa), sj_lwe_seckey_id(sa), 32) == 0, "pair a ids differ");
    SJ_CHECK(memcmp(sj_lwe_pubkey_id(pa), sj_lwe_seckey_id(sb), 32) != 0, "a and b share an id");
    SJ_CHECK(memcmp(sj_lwe_pubkey_id(pb), sj_lwe_pubkey_id(pa), 32) != 0, "a and b share an id");
    sj_lwe_pubkey_destroy(pa), sj_lwe_pubkey_destroy(pb);
    sj_lwe_seckey_destroy(sa), sj_lwe_seckey_destroy(sb);
}

#define EXPECT_FAIL(call, code)                                                                       \
    do {                                                                                              \
        sj_clear_error();                                                                             \
        sj_status st_ = (call);                                                                       \
        SJ_CHECK(st_ == (code), "%s returned %d", #call, (int)st_);                                   \
        SJ_CHECK(sj_last_error()[0] != '\0', "%s: no detail in sj_last_error", #call);                \
    } while (0)

SJ_TEST(bad_arguments_are_reported)
{
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_preset pr;
    EXPECT_FAIL(sj_lwe_preset_from_name("ultra", &pr), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_preset_from_name("Medium", &pr), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_preset_from_name(NULL, &pr), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_preset_from_name("toy", NULL), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_keygen(SJ_LWE_MEDIUM, 0, &pub, &sec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_keygen(SJ_LWE_MEDIUM, ((size_t)1 << 24) + 1, &pub, &sec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_keygen((sj_lwe_preset)9, 10, &pub, &sec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_keygen(SJ_LWE_MEDIUM, 10, NULL, &sec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_keygen(SJ_LWE_MEDIUM, 10, &pub, NULL), SJ_ERR_INVALID_ARG);
    REQUIRE_OK(sj_lwe_keygen(SJ_LWE_MEDIUM, 10, &pub, &sec));
    sj_lwe_encryptor* e = NULL;
    sj_lwe_decryptor* dec = NULL;
    EXPECT_FAIL(sj_lwe_encryptor_create(NULL, 10, &e), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encryptor_create(pub, 0, &e), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encryptor_create(pub, 10, NULL), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decryptor_create(NULL, 10, &dec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decryptor_create(sec, 0, &dec), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decryptor_create(sec, 10, NULL), SJ_ERR_INVALID_ARG);
    REQUIRE_OK(sj_lwe_encryptor_create(pub, 25, &e));
    REQUIRE_OK(sj_lwe_decryptor_create(sec, 25, &dec));
    uint16_t z[25] = { 0 }, c[25] = { 0 }, d[3 * 256] = { 0 }, zz[25];
    float cf[25] = { 0 }, zf[25];
    EXPECT_FAIL(sj_lwe_encrypt(NULL, z, c, d), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encrypt(e, NULL, c, d), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encrypt(e, z, NULL, d), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encrypt(e, z, c, NULL), SJ_ERR_INVALID_ARG);
    z[24] = 4093; /* the last value, so a check that stops early is caught */
    EXPECT_FAIL(sj_lwe_encrypt(e, z, c, d), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encrypt_insecure_public_seed(e, seed1, 0, z, c, d), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_encrypt_insecure_public_seed(e, NULL, 0, c, c, d), SJ_ERR_INVALID_ARG);
    z[24] = 4092;
    SJ_CHECK(sj_lwe_encrypt(e, z, c, d) == SJ_OK, "p - 1 refused: %s", sj_last_error());
    EXPECT_FAIL(sj_lwe_attack_public_seed(e, NULL, 0, c, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_attack_public_seed(e, seed1, 0, NULL, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt(NULL, c, d, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt(dec, c, NULL, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt(dec, c, d, NULL), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt_soft(dec, NULL, d, zf), SJ_ERR_INVALID_ARG);
    c[24] = 5000;
    EXPECT_FAIL(sj_lwe_decrypt(dec, c, d, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_attack_public_seed(e, seed1, 0, c, zz), SJ_ERR_INVALID_ARG);
    c[24] = 1;
    EXPECT_FAIL(sj_lwe_decrypt_offset(NULL, d, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt_offset(dec, NULL, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt_offset(dec, d, NULL), SJ_ERR_INVALID_ARG);
    SJ_CHECK(sj_lwe_decrypt_offset(dec, d, zz) == SJ_OK, "%s", sj_last_error());
    d[3 * 256 - 1] = 4093; /* last value of the last block's d */
    EXPECT_FAIL(sj_lwe_decrypt(dec, c, d, zz), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_decrypt_offset(dec, d, zz), SJ_ERR_INVALID_ARG);
    SJ_CHECK(strstr(sj_last_error(), "4093") != NULL, "message: %s", sj_last_error());
    EXPECT_FAIL(sj_lwe_decrypt_soft(dec, cf, d, zf), SJ_ERR_INVALID_ARG);
    d[3 * 256 - 1] = 0;
    cf[3] = NAN;
    EXPECT_FAIL(sj_lwe_decrypt_soft(dec, cf, d, zf), SJ_ERR_INVALID_ARG);
    cf[3] = INFINITY;
    EXPECT_FAIL(sj_lwe_decrypt_soft(dec, cf, d, zf), SJ_ERR_INVALID_ARG);
    cf[3] = 0;
    SJ_CHECK(sj_lwe_decrypt_soft(dec, cf, d, zf) == SJ_OK, "%s", sj_last_error());
    EXPECT_FAIL(sj_lwe_pubkey_save(NULL, "/tmp/x", 1), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_pubkey_save(pub, NULL, 1), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_seckey_save(NULL, "/tmp/x", 1), SJ_ERR_INVALID_ARG);
    EXPECT_FAIL(sj_lwe_seckey_save(sec, NULL, 1), SJ_ERR_INVALID_ARG);
    sj_lwe_pubkey* pl = (sj_lwe_pubkey*)&pl;
    EXPECT_FAIL(sj_lwe_pubkey_load(NULL, &pl), SJ_ERR_INVALID_ARG);
    SJ_CHECK(pl == NULL, "output not cleared on failure");
    EXPECT_FAIL(sj_lwe_seckey_load("/tmp/x", NULL), SJ_ERR_INVALID_ARG);
    SJ_CHECK(sj_lwe_pubkey_params(NULL) == NULL && sj_lwe_seckey_params(NULL) == NULL, "getters on NULL");
    SJ_CHECK(sj_lwe_pubkey_block_length(NULL) == 0 && sj_lwe_seckey_block_length(NULL) == 0, "getters on NULL");
    SJ_CHECK(sj_lwe_pubkey_id(NULL) == NULL && sj_lwe_seckey_id(NULL) == NULL, "getters on NULL");
    sj_lwe_encryptor_destroy(NULL);
    sj_lwe_decryptor_destroy(NULL);
    sj_lwe_pubkey_destroy(NULL);
    sj_lwe_seckey_destroy(NULL);
    sj_lwe_encryptor_destroy(e);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

SJ_TEST_MAIN("test_lwe")
