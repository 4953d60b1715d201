/* Tests of the ChaCha20 generator (csprng.c) and the discrete Gaussian sampler (dgauss.c).
 * Statistical checks use seeded generators, so they are reproducible, and thresholds at
 * about the 1e-4 level or several standard errors, so a correct sampler never fails while
 * a wrong width, offset, shape or tail does. */
#include "sj_test.h"

#include <securejscc/csprng.h>
#include <securejscc/dgauss.h>
#include <securejscc/lwe.h>
#include <sodium.h>
#include <stdint.h>

/* Stops the case when a call fails, printing its status and sj_last_error(). */
#define REQUIRE_OK(call)                                                                    \
    do {                                                                                    \
        sj_status st_ = (call);                                                             \
        SJ_REQUIRE(st_ == SJ_OK, "%s: %d (%s)", #call, (int)st_, sj_last_error());          \
    } while (0)

static const uint8_t seed_a[SJ_CSPRNG_SEED_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
static const uint8_t seed_b[SJ_CSPRNG_SEED_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 10 };

/* Upper 1e-4 quantile of chi-square with df degrees of freedom (Wilson-Hilferty). */
static double chi2_crit(double df)
{
    const double z = 3.719; /* standard normal 1 - 1e-4 quantile */
    double t = 2.0 / (9.0 * df);
    return df * pow(1.0 - t + z * sqrt(t), 3.0);
}

SJ_TEST(csprng_seeded_is_chacha20_of_seed_and_stream)
{
    /* The seeded stream is defined as ChaCha20(key = seed, nonce = LE64(stream)); other
     * code (and the public-seed LWE attack) relies on it being exactly reproducible. */
    sj_csprng* r = NULL;
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 0x0102030405060708ull, &r));
    uint8_t got[1000], want[1000];
    const uint8_t nonce[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
    crypto_stream_chacha20(want, sizeof want, nonce, seed_a);
    sj_csprng_bytes(r, got, sizeof got);
    SJ_CHECK(memcmp(got, want, sizeof got) == 0, "seeded stream differs from crypto_stream_chacha20");
    sj_csprng_destroy(r);
}

SJ_TEST(csprng_chunked_reads_equal_one_read)
{
    /* Buffering must not drop, repeat or reorder bytes, whatever the read sizes. */
    enum { N = 20000 };
    static uint8_t one[N], parts[N];
    sj_csprng *r1 = NULL, *r2 = NULL;
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 5, &r1));
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 5, &r2));
    sj_csprng_bytes(r1, one, N);
    const size_t sizes[] = { 1, 3, 60, 4096, 5000, 7, 64, 8192, 0, 13, 4095 };
    size_t off = 0, i = 0;
    while (off < N) {
        size_t n = sizes[i++ % (sizeof sizes / sizeof sizes[0])];
        if (n > N - off)
            n = N - off;
        sj_csprng_bytes(r2, parts + off, n);
        off += n;
    }
    SJ_CHECK(memcmp(one, parts, N) == 0, "chunked reads differ from a single read");
    sj_csprng_destroy(r1);
    sj_csprng_destroy(r2);
}

SJ_TEST(csprng_streams_seeds_and_random_keys_differ)
{
    uint8_t a[64], b[64], c[64], d[64], e[64];
    sj_csprng *r1 = NULL, *r2 = NULL, *r3 = NULL, *r4 = NULL;
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 0, &r1));
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 1, &r2));
    REQUIRE_OK(sj_csprng_create_seeded(seed_b, 0, &r3));
    REQUIRE_OK(sj_csprng_create_random(&r4));
    sj_csprng_bytes(r1, a, 64);
    sj_csprng_bytes(r2, b, 64);
    sj_csprng_bytes(r3, c, 64);
    sj_csprng_bytes(r4, d, 64);
    SJ_CHECK(sj_csprng_rekey_random(r4) == SJ_OK, "%s", sj_last_error());
    sj_csprng_bytes(r4, e, 64);
    SJ_CHECK(memcmp(a, b, 64) != 0, "stream number ignored");
    SJ_CHECK(memcmp(a, c, 64) != 0, "seed ignored");
    SJ_CHECK(memcmp(d, e, 64) != 0, "rekey_random did not change the stream");
    SJ_CHECK(memcmp(a, d, 64) != 0, "random key equals a seeded one");
    sj_csprng_destroy(r1);
    sj_csprng_destroy(r2);
    sj_csprng_destroy(r3);
    sj_csprng_destroy(r4);
}

SJ_TEST(csprng_uniform_is_uniform_and_in_range)
{
    sj_csprng* r = NULL;
    REQUIRE_OK(sj_csprng_create_seeded(seed_a, 9, &r));
    SJ_CHECK(sj_csprng_uniform(r, 1) == 0, "bound 1 must give 0");
    /* bound 3 * 2^30 makes the naive x % bound visibly biased (values < 2^30 twice as
     * likely); bins of the top two bits detect it. */
    const uint32_t big = 3u << 30;
    long cnt3[3] = { 0 };
    for (int i = 0; i < 300000; i++) {
        uint32_t x = sj_csprng_uniform(r, big);
        SJ_REQUIRE(x < big, "value %u >= bound", x);
        cnt3[x >> 30]++;
    }
    for (int b = 0; b < 3; b++)
        SJ_CHECK(labs(cnt3[b] - 100000) < 1500, "bin %d has %ld of 300000 (modulo bias?)", b, cnt3[b]);
    /* p = 4093 in bins of 16, as the LWE tests use. */
    enum { P = 4093, NB = (P + 15) / 16 };
    long cnt[NB] = { 0 };
    const long N = 400000;
    for (long i = 0; i < N; i++) {
        uint32_t x = sj_csprng_uniform(r, P);
        SJ_REQUIRE(x < P, "value %u >= %d", x, P);
        cnt[x / 16]++;
    }
    double chi2 = 0;
    for (int b = 0; b < NB; b++) {
        double w = b == NB - 1 ? P - 16 * (NB - 1) : 16, ex = (double)N * w / P;
        chi2 += (cnt[b] - ex) * (cnt[b] - ex) / ex;
    }
    SJ_CHECK(chi2 < chi2_crit(NB - 1), "chi2 %.1f >= %.1f", chi2, chi2_crit(NB - 1));
    sj_csprng_destroy(r);
}

SJ_TEST(csprng_bad_arguments)
{
    sj_clear_error();
    SJ_CHECK(sj_csprng_create_random(NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_last_error()[0] != '\0', "no detail");
    sj_csprng* r = (sj_csprng*)&r;
    SJ_CHECK(sj_csprng_create_seeded(NULL, 0, &r) == SJ_ERR_INVALID_ARG && r == NULL, "NULL seed");
    SJ_CHECK(sj_csprng_create_seeded(seed_a, 0, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_csprng_rekey_random(NULL) == SJ_ERR_INVALID_ARG, "NULL generator");
    sj_csprng_destroy(NULL);
    sj_csprng_bytes(NULL, NULL, 10); /* must not crash */
}

SJ_TEST(dgauss_variance_function)
{
    /* For s well above the smoothing parameter the discrete variance equals the
     * continuous one s^2 / (2 pi) up to exponentially small terms. */
    const double ss[] = { 8.0, 8.35, 8.87, 13.01, 100.0 };
    for (size_t i = 0; i < sizeof ss / sizeof ss[0]; i++) {
        double s = ss[i], v = sj_dgauss_variance(s), c = s * s / (2 * M_PI);
        SJ_CHECK(fabs(v / c - 1) < 1e-9, "s=%g: variance %.12g vs s^2/(2pi) %.12g", s, v, c);
    }
    /* For small s it does not, and the function must give the exact sum instead. */
    double e = exp(-M_PI / 0.25), direct = (2 * e + 8 * pow(e, 4)) / (1 + 2 * e + 2 * pow(e, 4));
    SJ_CHECK(fabs(sj_dgauss_variance(0.5) / direct - 1) < 1e-6, "s=0.5: %.9g vs %.9g", sj_dgauss_variance(0.5), direct);
    SJ_CHECK(isnan(sj_dgauss_variance(0.0)) && isnan(sj_dgauss_variance(NAN)), "bad s must give NaN");
}

static void check_sampler(double s, uint64_t stream, int* sj_failed_)
{
    enum { N = 1000000 };
    static int32_t x[N];
    sj_dgauss* g = NULL;
    sj_csprng* r = NULL;
    REQUIRE_OK(sj_dgauss_create(s, &g));
    REQUIRE_OK(sj_csprng_create_seeded(seed_b, stream, &r));
    /* Odd request sizes exercise the batching of the sampler. */
    for (size_t off = 0, n = 1; off < N; off += n, n = n * 3 % 1000 + 1)
        sj_dgauss_sample(g, r, x + off, off + n > N ? N - off : n);
    const int T = (int)ceil(13 * s / sqrt(2 * M_PI)) + 1;
    double sum = 0, sum2 = 0;
    long pos = 0, neg = 0;
    int maxabs = 0;
    for (long i = 0; i < N; i++) {
        sum += x[i];
        sum2 += (double)x[i] * x[i];
        pos += x[i] > 0, neg += x[i] < 0;
        if (abs(x[i]) > maxabs)
            maxabs = abs(x[i]);
    }
    double mean = sum / N, var = sum2 / N - mean * mean, v = sj_dgauss_variance(s);
    SJ_CHECK(fabs(mean) < 5 * sqrt(v / N), "s=%g: mean %.5f", s, mean);
    SJ_CHECK(fabs(var / v - 1) < 0.01, "s=%g: variance %.4f vs exact %.4f", s, var, v);
    SJ_CHECK(fabs(var / (s * s / (2 * M_PI)) - 1) < 0.01, "s=%g: variance %.4f vs s^2/2pi", s, var);
    SJ_CHECK(labs(pos - neg) < 5 * sqrt((double)(pos + neg)), "s=%g: asymmetric %ld > 0, %ld < 0", s, pos, neg);
    SJ_CHECK(maxabs <= T, "s=%g: |x| = %d beyond the cut %d", s, maxabs, T);
    /* Shape: chi-square of the histogram against the exact probabilities, bins with an
     * expectation below 20 merged into the two tails. */
    double a = M_PI / (s * s), Z = 0;
    for (int m = -T; m <= T; m++)
        Z += exp(-a * m * m);
    int lo = 0;
    while (N * exp(-a * lo * lo) / Z >= 20)
        lo++;
    lo--; /* bins -lo..lo individually, |x| > lo in two tail bins */
    double chi2 = 0, tailp = 0;
    for (int m = lo + 1; m <= T; m++)
        tailp += exp(-a * m * m) / Z;
    long tailn[2] = { 0 }, *cnt = calloc(2 * (size_t)lo + 1, sizeof *cnt);
    SJ_REQUIRE(cnt != NULL, "oom");
    for (long i = 0; i < N; i++) {
        if (x[i] > lo)
            tailn[1]++;
        else if (x[i] < -lo)
            tailn[0]++;
        else
            cnt[x[i] + lo]++;
    }
    for (int m = -lo; m <= lo; m++) {
        double ex = N * exp(-a * m * m) / Z;
        chi2 += (cnt[m + lo] - ex) * (cnt[m + lo] - ex) / ex;
    }
    for (int t = 0; t < 2; t++)
        chi2 += (tailn[t] - N * tailp) * (tailn[t] - N * tailp) / (N * tailp);
    SJ_CHECK(chi2 < chi2_crit(2 * lo + 2), "s=%g: histogram chi2 %.1f >= %.1f", s, chi2, chi2_crit(2 * lo + 2));
    free(cnt);
    sj_csprng_destroy(r);
    sj_dgauss_destroy(g);
}

SJ_TEST(dgauss_sampler_matches_distribution_for_every_preset)
{
    for (int p = SJ_LWE_TOY; p <= SJ_LWE_HIGH; p++)
        check_sampler(sj_lwe_preset_params((sj_lwe_preset)p)->s, (uint64_t)p, sj_failed_);
    check_sampler(3.0, 77, sj_failed_); /* a narrow one, where discreteness matters */
}

SJ_TEST(dgauss_random_keyed_generator_works)
{
    sj_dgauss* g = NULL;
    sj_csprng* r = NULL;
    int32_t x[1000];
    REQUIRE_OK(sj_dgauss_create(8.35, &g));
    REQUIRE_OK(sj_csprng_create_random(&r));
    sj_dgauss_sample(g, r, x, 1000);
    int nonzero = 0;
    for (int i = 0; i < 1000; i++)
        nonzero += x[i] != 0;
    SJ_CHECK(nonzero > 800, "only %d of 1000 nonzero (P(0) ~ 0.12)", nonzero);
    sj_dgauss_sample(NULL, r, x, 10); /* must not crash */
    sj_dgauss_sample(g, NULL, x, 10);
    sj_dgauss_sample(g, r, NULL, 10);
    sj_csprng_destroy(r);
    sj_dgauss_destroy(g);
}

SJ_TEST(dgauss_bad_arguments)
{
    sj_dgauss* g = (sj_dgauss*)&g;
    const double bad[] = { 0.0, 0.49, 1000.5, -3.0, NAN, INFINITY };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sj_clear_error();
        SJ_CHECK(sj_dgauss_create(bad[i], &g) == SJ_ERR_INVALID_ARG && g == NULL, "s=%g accepted", bad[i]);
        SJ_CHECK(sj_last_error()[0] != '\0', "s=%g: no detail", bad[i]);
    }
    SJ_CHECK(sj_dgauss_create(8.0, NULL) == SJ_ERR_INVALID_ARG, "NULL out accepted");
    SJ_CHECK(sj_dgauss_create(0.5, &g) == SJ_OK, "s=0.5 refused");
    sj_dgauss_destroy(g);
    SJ_CHECK(sj_dgauss_create(1000.0, &g) == SJ_OK, "s=1000 refused");
    sj_dgauss_destroy(g);
    sj_dgauss_destroy(NULL);
}

SJ_TEST_MAIN("test_dgauss")
