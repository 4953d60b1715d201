/* Core benchmark: figures measured in one run, on one core, each against its reference.
 * Times are the thread's CPU time (CLOCK_THREAD_CPUTIME_ID) of a single thread pinned to
 * one CPU, so that other load on a shared machine does not count against the code.
 *
 *   4096-QAM posterior mean: separable vs brute force (and their ratio) at 10 and 20 dB,
 *     and the paper's literal eq. (15)
 *   joint receiver (sj_zp_posterior, Hilbert mapping) at 10 dB, with the medium preset's
 *     LWE noise and without (keystream), against the pipeline it replaces: separable
 *     posterior mean + soft decryption + soft dequantiser
 *   LWE (medium preset, l = 512): encrypt, decrypt and soft decrypt per frame, k = 512 and
 *     k = 196608
 *   keystream cipher throughput, q = 256 and q = 4093
 *   16QAM byte mapping throughput
 *
 * Usage: bench_core [--quick]. The last line is `softdemod_4096qam_msyms: <value>`, the
 * separable figure at 10 dB, for scripts. */
#define _GNU_SOURCE
#include <math.h>
#include <sched.h>
#include <securejscc/awgn.h>
#include <securejscc/keystream.h>
#include <securejscc/lwe.h>
#include <securejscc/modem.h>
#include <securejscc/quantizer.h>
#include <securejscc/softdemod.h>
#include <securejscc/zp_posterior.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double min_time = 1.0; /* seconds per measurement; --quick: 0.1 */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void die(const char* what, sj_status st)
{
    fprintf(stderr, "bench_core: %s failed: %s (%s)\n", what, sj_strerror(st), sj_last_error());
    exit(1);
}

/* Benchmark data: a fixed splitmix64 stream (no rand(): reproducible across libcs). */
static uint64_t rng_state = 0xBE7C4C0DEull;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Symbols per second of one posterior-mean method on n prepared symbols. */
static double soft_rate(sj_softdemod* d, const lv_32fc_t* y, size_t n, float n0, sj_soft4096_method m, float* out)
{
    size_t done = 0;
    const double t0 = now();
    double t = t0;
    do {
        sj_status st = sj_softdemod_posterior_mean(d, y, n, n0, m, out);
        if (st != SJ_OK)
            die("sj_softdemod_posterior_mean", st);
        done += n;
        t = now();
    } while (t - t0 < min_time);
    return done / (t - t0);
}

static double bench_softdemod(void)
{
    enum { NSEP = 1 << 16, NBRUTE = 512 };
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    sj_awgn* ch = NULL;
    sj_status st;
    if ((st = sj_modem_create(SJ_MOD_4096QAM, &m)) != SJ_OK || (st = sj_softdemod_create(m, NSEP, &d)) != SJ_OK ||
        (st = sj_awgn_create(42, &ch)) != SJ_OK)
        die("4096-QAM set-up", st);
    uint16_t* idx = malloc(NSEP * sizeof *idx);
    lv_32fc_t* y = malloc(NSEP * sizeof *y);
    float* a = malloc(NSEP * sizeof *a);
    float* b = malloc(NSEP * sizeof *b);
    double sep10 = 0.0;
    const float snrs[2] = { 10.0f, 20.0f };
    for (int k = 0; k < 2; k++) {
        const float n0 = sj_awgn_noise_var(snrs[k], 1.0f);
        for (size_t i = 0; i < NSEP; i++)
            idx[i] = (uint16_t)(next_u64() % SJ_QAM4096_USED);
        sj_modem_map(m, idx, NSEP, y);
        sj_awgn_apply(ch, y, y, NSEP, n0);
        const double rs = soft_rate(d, y, NSEP, n0, SJ_SOFT4096_SEPARABLE, a);
        const double rb = soft_rate(d, y, NBRUTE, n0, SJ_SOFT4096_BRUTE, b);
        double worst = 0.0;
        for (size_t i = 0; i < NBRUTE; i++)
            worst = fabs(a[i] - b[i]) > worst ? fabs(a[i] - b[i]) : worst;
        printf("4096-QAM posterior mean at %4.1f dB: separable %8.3f Msym/s, brute force %7.4f Msym/s, "
               "ratio %6.1fx (max |difference| %.2g index units)\n",
               snrs[k], rs / 1e6, rb / 1e6, rs / rb, worst);
        if (k == 0)
            sep10 = rs / 1e6;
    }
    {
        const float n0 = sj_awgn_noise_var(10.0f, 1.0f);
        sj_modem_map(m, idx, NSEP, y);
        sj_awgn_apply(ch, y, y, NSEP, n0);
        const double re = soft_rate(d, y, NBRUTE, n0, SJ_SOFT4096_PAPER_EQ15, b);
        printf("4096-QAM paper eq. (15) option at 10.0 dB: %7.4f Msym/s\n", re / 1e6);
    }
    free(idx);
    free(y);
    free(a);
    free(b);
    sj_awgn_destroy(ch);
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
    return sep10;
}

/* Milliseconds per call of one LWE operation. */
typedef sj_status (*lwe_op)(void* ctx);
struct lwe_ctx {
    sj_lwe_encryptor* e;
    sj_lwe_decryptor* dec;
    uint16_t *z, *c, *d, *zz;
    float *cf, *zf;
};
static sj_status op_enc(void* p)
{
    struct lwe_ctx* x = p;
    return sj_lwe_encrypt(x->e, x->z, x->c, x->d);
}
static sj_status op_dec(void* p)
{
    struct lwe_ctx* x = p;
    return sj_lwe_decrypt(x->dec, x->c, x->d, x->zz);
}
static sj_status op_soft(void* p)
{
    struct lwe_ctx* x = p;
    return sj_lwe_decrypt_soft(x->dec, x->cf, x->d, x->zf);
}
static double ms_per_call(lwe_op op, void* ctx, const char* what)
{
    int calls = 0;
    const double t0 = now();
    double t = t0;
    do {
        sj_status st = op(ctx);
        if (st != SJ_OK)
            die(what, st);
        calls++;
        t = now();
    } while (t - t0 < min_time && calls < 1000000);
    return 1e3 * (t - t0) / calls;
}

static void bench_lwe(void)
{
    const size_t l = 512, ks[2] = { 512, 196608 };
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    const double t0 = now();
    sj_status st = sj_lwe_keygen(SJ_LWE_MEDIUM, l, &pub, &sec);
    if (st != SJ_OK)
        die("sj_lwe_keygen", st);
    const sj_lwe_params* prm = sj_lwe_pubkey_params(pub);
    printf("LWE %s (n = %u, p = %u, s = %.2f), l = %zu: keygen %.1f ms\n", prm->name, prm->n1, prm->p, prm->s, l,
           1e3 * (now() - t0));
    for (int j = 0; j < 2; j++) {
        const size_t k = ks[j], dl = sj_lwe_d_length(prm, l, k);
        struct lwe_ctx x = { 0 };
        if ((st = sj_lwe_encryptor_create(pub, k, &x.e)) != SJ_OK ||
            (st = sj_lwe_decryptor_create(sec, k, &x.dec)) != SJ_OK)
            die("LWE encryptor/decryptor create", st);
        x.z = malloc(k * sizeof *x.z);
        x.c = malloc(k * sizeof *x.c);
        x.zz = malloc(k * sizeof *x.zz);
        x.d = malloc(dl * sizeof *x.d);
        x.cf = malloc(k * sizeof *x.cf);
        x.zf = malloc(k * sizeof *x.zf);
        for (size_t i = 0; i < k; i++)
            x.z[i] = (uint16_t)(next_u64() % prm->p);
        const double te = ms_per_call(op_enc, &x, "sj_lwe_encrypt");
        for (size_t i = 0; i < k; i++) /* a noisy real ciphertext for the soft path */
            x.cf[i] = (float)x.c[i] + (float)((int)(next_u64() % 2001) - 1000) * 1e-3f;
        const double td = ms_per_call(op_dec, &x, "sj_lwe_decrypt");
        /* LWE decryption returns z plus the scheme's noise: its RMS should match
         * sj_lwe_noise_std (a sanity check that the frame was really encrypted). */
        double ss = 0.0;
        for (size_t i = 0; i < k; i++) {
            int e = ((int)x.zz[i] - (int)x.z[i] + (int)prm->p) % (int)prm->p;
            e = e > (int)prm->p / 2 ? e - (int)prm->p : e;
            ss += (double)e * e;
        }
        const double ts = ms_per_call(op_soft, &x, "sj_lwe_decrypt_soft");
        printf("LWE k = %6zu (%3zu blocks): encrypt %9.3f ms/frame, decrypt %8.3f ms/frame, soft decrypt %8.3f "
               "ms/frame (decryption noise RMS %.1f, expected %.1f)\n",
               k, sj_lwe_num_blocks(l, k), te, td, ts, sqrt(ss / k), sj_lwe_noise_std(prm));
        free(x.z);
        free(x.c);
        free(x.zz);
        free(x.d);
        free(x.cf);
        free(x.zf);
        sj_lwe_encryptor_destroy(x.e);
        sj_lwe_decryptor_destroy(x.dec);
    }
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
}

static void bench_keystream(void)
{
    enum { N = 1 << 20 };
    uint8_t key[SJ_KEYSTREAM_KEY_BYTES], nonce[SJ_KEYSTREAM_NONCE_BYTES];
    sj_status st = sj_keystream_key_generate(key);
    if (st != SJ_OK)
        die("sj_keystream_key_generate", st);
    const unsigned qs[2] = { 256, 4093 };
    uint16_t* in = malloc(N * sizeof *in);
    uint16_t* out = malloc(N * sizeof *out);
    for (int j = 0; j < 2; j++) {
        sj_keystream* ks = NULL;
        if ((st = sj_keystream_create(key, qs[j], &ks)) != SJ_OK)
            die("sj_keystream_create", st);
        for (size_t i = 0; i < N; i++)
            in[i] = (uint16_t)(next_u64() % qs[j]);
        size_t done = 0;
        const double t0 = now();
        double t = t0;
        do {
            if (qs[j] == 256)
                st = sj_keystream_encrypt_u8(ks, (const uint8_t*)in, (uint8_t*)out, 2 * N, nonce);
            else
                st = sj_keystream_encrypt(ks, in, out, N, nonce);
            if (st != SJ_OK)
                die("sj_keystream_encrypt", st);
            done += qs[j] == 256 ? 2 * N : N;
            t = now();
        } while (t - t0 < min_time);
        const double vps = done / (t - t0);
        printf("keystream q = %4u: %8.1f MB/s of plaintext (%7.1f Mvalues/s, %s)\n", qs[j],
               vps * (qs[j] == 256 ? 1 : 2) / 1e6, vps / 1e6, qs[j] == 256 ? "bytes" : "uint16 values");
        sj_keystream_destroy(ks);
    }
    free(in);
    free(out);
}

static void bench_bytemap(void)
{
    enum { N = 1 << 16 };
    sj_modem* m = NULL;
    sj_status st = sj_modem_create(SJ_MOD_16QAM, &m);
    if (st != SJ_OK)
        die("sj_modem_create", st);
    uint8_t* b = malloc(N);
    uint8_t* back = malloc(N);
    lv_32fc_t* s = malloc(2 * N * sizeof *s);
    for (size_t i = 0; i < N; i++)
        b[i] = (uint8_t)next_u64();
    double tm = 0, td = 0;
    size_t done = 0;
    do {
        const double t0 = now();
        sj_modem_map_bytes(m, b, N, s);
        const double t1 = now();
        sj_modem_demap_bytes(m, s, 2 * N, back);
        td += now() - t1;
        tm += t1 - t0;
        done += N;
    } while (tm + td < min_time);
    printf("16QAM bytes: map %8.1f MB/s, hard demap %8.1f MB/s (round trip %s)\n", done / tm / 1e6, done / td / 1e6,
           memcmp(b, back, N) ? "FAILED" : "exact");
    /* Exact bit LLRs of the same symbols (after noise at 10 dB), for the soft receivers. */
    sj_softdemod* d = NULL;
    sj_awgn* ch = NULL;
    float* llr = malloc(8 * (size_t)N * sizeof *llr);
    if ((st = sj_softdemod_create(m, 2 * N, &d)) != SJ_OK || (st = sj_awgn_create(9, &ch)) != SJ_OK)
        die("16QAM soft demodulator set-up", st);
    const float n0 = sj_awgn_noise_var(10.0f, 1.0f);
    sj_awgn_apply(ch, s, s, 2 * N, n0);
    size_t syms = 0;
    const double t0 = now();
    double t = t0;
    do {
        if ((st = sj_softdemod_llr(d, s, 2 * N, n0, llr)) != SJ_OK)
            die("sj_softdemod_llr", st);
        syms += 2 * N;
        t = now();
    } while (t - t0 < min_time);
    printf("16QAM exact bit LLRs: %8.2f Msym/s (%.1f Mbit/s of LLRs)\n", syms / (t - t0) / 1e6,
           4 * syms / (t - t0) / 1e6);
    free(llr);
    sj_awgn_destroy(ch);
    sj_softdemod_destroy(d);
    free(b);
    free(back);
    free(s);
    sj_modem_destroy(m);
}

/* The joint receiver against the posterior-mean pipeline it replaces, per symbol, at 10 dB
 * on one 768 x 512 image's worth of symbols (k = 196608, l = 512, medium preset). */
static void bench_joint(void)
{
    enum { K = 196608, L = 512, LEVELS = 16, GUARD = 2 };
    sj_modem *row = NULL, *hil = NULL;
    sj_softdemod* sd = NULL;
    sj_quantizer* q = NULL;
    sj_zp_posterior *zl = NULL, *zk = NULL;
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* enc = NULL;
    sj_lwe_decryptor* dec = NULL;
    sj_awgn* ch = NULL;
    sj_status st;
    const sj_lwe_params* prm = sj_lwe_preset_params(SJ_LWE_MEDIUM);
    const double std_e = sj_lwe_noise_std(prm);
    if ((st = sj_modem_create(SJ_MOD_4096QAM, &row)) != SJ_OK ||
        (st = sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &hil)) != SJ_OK ||
        (st = sj_softdemod_create(row, K, &sd)) != SJ_OK ||
        (st = sj_quantizer_create_guarded(LEVELS, GUARD, prm->p, &q)) != SJ_OK ||
        (st = sj_zp_posterior_create(hil, prm->p, LEVELS, GUARD, std_e, K, &zl)) != SJ_OK ||
        (st = sj_zp_posterior_create(hil, prm->p, LEVELS, GUARD, 0.0, K, &zk)) != SJ_OK ||
        (st = sj_lwe_keygen(SJ_LWE_MEDIUM, L, &pub, &sec)) != SJ_OK ||
        (st = sj_lwe_encryptor_create(pub, K, &enc)) != SJ_OK || (st = sj_lwe_decryptor_create(sec, K, &dec)) != SJ_OK ||
        (st = sj_awgn_create(43, &ch)) != SJ_OK)
        die("joint receiver set-up", st);
    const size_t dlen = sj_lwe_d_length(prm, L, K);
    uint16_t* z = malloc(K * sizeof *z);
    uint16_t* c = malloc(K * sizeof *c);
    uint16_t* d = malloc(dlen * sizeof *d);
    uint16_t* o = malloc(K * sizeof *o);
    lv_32fc_t* yr = malloc(K * sizeof *yr);
    lv_32fc_t* yh = malloc(K * sizeof *yh);
    float* a = malloc(K * sizeof *a);
    float* b = malloc(K * sizeof *b);
    const float n0 = sj_awgn_noise_var(10.0f, 1.0f);
    const float var = (float)(std_e * std_e); /* what lwe_rx tells the dequantiser, less the channel part */
    for (size_t i = 0; i < K; i++)
        z[i] = sj_quantizer_centroid(q, (unsigned)(next_u64() % (LEVELS - GUARD)));
    if ((st = sj_lwe_encrypt(enc, z, c, d)) != SJ_OK || (st = sj_lwe_decrypt_offset(dec, d, o)) != SJ_OK)
        die("joint receiver data", st);
    sj_modem_map(row, c, K, yr);
    sj_modem_map(hil, c, K, yh);
    sj_awgn_apply(ch, yr, yr, K, n0);
    sj_awgn_apply(ch, yh, yh, K, n0);
    size_t done = 0;
    double t0 = now(), t = t0;
    do {
        if ((st = sj_softdemod_posterior_mean(sd, yr, K, n0, SJ_SOFT4096_SEPARABLE, a)) != SJ_OK ||
            (st = sj_lwe_decrypt_soft(dec, a, d, b)) != SJ_OK || (st = sj_quantizer_soft_dequant(q, b, K, var, a)) != SJ_OK)
            die("posterior-mean pipeline", st);
        done += K;
        t = now();
    } while (t - t0 < min_time);
    const double rp = done / (t - t0);
    /* with LWE noise, keystream, with LWE noise and the spread (joint_spread models) */
    double rate[3];
    sj_zp_posterior* zs[3] = { zl, zk, zl };
    for (int k = 0; k < 3; k++) {
        done = 0;
        t0 = t = now();
        do {
            if ((st = sj_zp_posterior_mean_std(zs[k], yh, o, K, n0, b, k == 2 ? a : NULL)) != SJ_OK)
                die("sj_zp_posterior_mean_std", st);
            done += K;
            t = now();
        } while (t - t0 < min_time);
        rate[k] = done / (t - t0);
    }
    printf("joint receiver at 10.0 dB (Hilbert): with LWE noise %7.3f Msym/s (%.0f ns/symbol; with the spread "
           "too %7.3f), keystream %7.3f Msym/s; posterior-mean pipeline (demodulation + soft decryption + "
           "dequantiser) %7.3f Msym/s; ratio %.2fx\n",
           rate[0] / 1e6, 1e9 / rate[0], rate[2] / 1e6, rate[1] / 1e6, rp / 1e6, rate[0] / rp);
    free(z);
    free(c);
    free(d);
    free(o);
    free(yr);
    free(yh);
    free(a);
    free(b);
    sj_awgn_destroy(ch);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_encryptor_destroy(enc);
    sj_lwe_seckey_destroy(sec);
    sj_lwe_pubkey_destroy(pub);
    sj_zp_posterior_destroy(zk);
    sj_zp_posterior_destroy(zl);
    sj_quantizer_destroy(q);
    sj_softdemod_destroy(sd);
    sj_modem_destroy(hil);
    sj_modem_destroy(row);
}

int main(int argc, char** argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            min_time = 0.1;
        } else {
            fprintf(stderr, "usage: %s [--quick]\n", argv[0]);
            return 2;
        }
    }
    /* One core: pin to the CPU we start on, so the figures are single-core ones. */
    cpu_set_t set;
    CPU_ZERO(&set);
    const int cpu = sched_getcpu();
    if (cpu >= 0) {
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    printf("bench_core: single thread pinned to CPU %d, %.1f s per figure\n", cpu, min_time);
    const double sep10 = bench_softdemod();
    bench_joint();
    bench_lwe();
    bench_keystream();
    bench_bytemap();
    printf("softdemod_4096qam_msyms: %.3f\n", sep10);
    return 0;
}
