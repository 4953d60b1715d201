/* securejscc-chain-demo: the non-neural half of the `lwe` and `srec` chains on a real image.
 *
 * No network is involved: each pixel value stands in for one latent value, so what Bob
 * gets shows what the secure signal chain itself does to data (quantisation, encryption
 * noise, channel noise, soft demodulation) and what Eve gets without the key.
 *   lwe:  pixel -> 16-level quantiser into Z_4093 -> LWE encryption (fresh e per block)
 *         -> 4096-QAM -> AWGN -> posterior-mean soft demod -> soft decryption -> soft
 *         dequantiser -> pixel. Eve: same receiver, no secret key.
 *   srec: pixel byte -> (byte + ChaCha20 keystream) mod 256 -> 16QAM -> AWGN -> hard
 *         decisions -> decryption -> pixel. Eve: no key.
 * Writes the images and a side-by-side mosaic, and prints PSNR / SSIM against the input. */
#include <securejscc/awgn.h>
#include <securejscc/image.h>
#include <securejscc/keystream.h>
#include <securejscc/lwe.h>
#include <securejscc/metrics.h>
#include <securejscc/modem.h>
#include <securejscc/quantizer.h>
#include <securejscc/softdemod.h>

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <volk/volk.h>

#define DEFAULT_IMAGE "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"

struct options {
    const char* image;
    const char* out_dir;
    float snr_db;
    size_t block;
    sj_lwe_preset preset;
    unsigned long long seed;
};

struct result {
    const char* name;
    sj_image* img;
    double psnr, ssim;
};

static void usage(FILE* f)
{
    fprintf(f,
            "Usage: securejscc-chain-demo [options] [IMAGE.png]\n"
            "Runs the lwe and srec signal chains (no neural network: pixels stand in for\n"
            "latent values) over a simulated AWGN channel for Bob (with the key) and Eve\n"
            "(without it), writes the images and prints PSNR/SSIM against the input.\n\n"
            "  IMAGE.png          input image (default: %s)\n"
            "  -o, --out DIR      output folder (default: demo-out)\n"
            "  -s, --snr DB       channel SNR in dB (default: 20)\n"
            "  -p, --params NAME  LWE preset: toy, low, medium, high (default: medium)\n"
            "  -l, --length L     LWE block length l (default: 512)\n"
            "      --seed N       channel noise seed (default: 1)\n"
            "  -h, --help         this text\n",
            DEFAULT_IMAGE);
}

static int parse_args(int argc, char** argv, struct options* o)
{
    static const struct option longopts[] = {
        { "out", required_argument, 0, 'o' },    { "snr", required_argument, 0, 's' },
        { "params", required_argument, 0, 'p' }, { "length", required_argument, 0, 'l' },
        { "seed", required_argument, 0, 'S' },   { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 }
    };
    *o = (struct options){ DEFAULT_IMAGE, "demo-out", 20.0f, 512, SJ_LWE_DEFAULT_PRESET, 1 };
    int c;
    char* end;
    while ((c = getopt_long(argc, argv, "o:s:p:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out_dir = optarg; break;
        case 's':
            o->snr_db = strtof(optarg, &end);
            if (*end || !isfinite(o->snr_db) || o->snr_db < -20 || o->snr_db > 80) {
                fprintf(stderr, "securejscc-chain-demo: --snr wants a number of dB in [-20, 80], got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'p':
            if (sj_lwe_preset_from_name(optarg, &o->preset) != SJ_OK) {
                fprintf(stderr, "securejscc-chain-demo: --params: %s\n", sj_last_error());
                return 2;
            }
            break;
        case 'l':
            o->block = strtoul(optarg, &end, 10);
            if (*end || o->block == 0 || o->block > (1u << 20)) {
                fprintf(stderr, "securejscc-chain-demo: --length wants an integer in [1, 1048576], got '%s'\n", optarg);
                return 2;
            }
            break;
        case 'S': o->seed = strtoull(optarg, NULL, 10); break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        o->image = argv[optind++];
    if (optind < argc) {
        fprintf(stderr, "securejscc-chain-demo: one image at a time (extra argument '%s')\n", argv[optind]);
        return 2;
    }
    return 0;
}

static int check(sj_status st, const char* what)
{
    if (st == SJ_OK)
        return 0;
    fprintf(stderr, "securejscc-chain-demo: %s: %s (%s)\n", what, sj_last_error(), sj_strerror(st));
    return 1;
}

static double seconds_since(const struct timespec* t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

/* Bob and Eve for the lwe chain; n = number of pixel values. */
static int run_lwe(const struct options* o, const uint8_t* px, size_t n, sj_awgn* ch, uint8_t* bob, uint8_t* eve)
{
    const sj_lwe_params* prm = sj_lwe_preset_params(o->preset);
    const float p = (float)prm->p, to_zp = (p - 1.0f) / 255.0f;
    sj_quantizer* q = NULL;
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_lwe_encryptor* enc = NULL;
    sj_lwe_decryptor* dec = NULL;
    sj_modem* mod = NULL;
    sj_softdemod* sd = NULL;
    int rc = 1;
    size_t nd = sj_lwe_d_length(prm, o->block, n);
    float* z = malloc(n * sizeof *z);
    float* soft = malloc(n * sizeof *soft);
    float* plain = malloc(n * sizeof *plain);
    uint16_t* zq = malloc(n * sizeof *zq);
    uint16_t* c = malloc(n * sizeof *c);
    uint16_t* d = malloc(nd * sizeof *d);
    lv_32fc_t* sym = volk_malloc(n * sizeof *sym, volk_get_alignment());
    if (!z || !soft || !plain || !zq || !c || !d || !sym) {
        fprintf(stderr, "securejscc-chain-demo: out of memory\n");
        goto done;
    }
    if (check(sj_quantizer_create(16, prm->p, &q), "quantiser") ||
        check(sj_lwe_keygen(o->preset, o->block, &pub, &sec), "LWE key generation") ||
        check(sj_lwe_encryptor_create(pub, n, &enc), "LWE encryptor") ||
        check(sj_lwe_decryptor_create(sec, n, &dec), "LWE decryptor") ||
        check(sj_modem_create(SJ_MOD_4096QAM, &mod), "4096-QAM modem") ||
        check(sj_softdemod_create(mod, n, &sd), "soft demodulator"))
        goto done;

    for (size_t i = 0; i < n; i++)
        z[i] = (float)px[i] * to_zp;
    const float n0 = sj_awgn_noise_var(o->snr_db, 1.0f);
    if (check(sj_quantizer_hard(q, z, n, zq, NULL), "quantise") || check(sj_lwe_encrypt(enc, zq, c, d), "encrypt") ||
        check(sj_modem_map(mod, c, n, sym), "4096-QAM mapping"))
        goto done;
    sj_awgn_apply(ch, sym, sym, n, n0);
    if (check(sj_softdemod_posterior_mean(sd, sym, n, n0, SJ_SOFT4096_SEPARABLE, soft), "soft demodulation"))
        goto done;

    /* Noise seen by the dequantiser, in Z_p units: the LWE decryption noise plus the
     * channel noise mapped through index = 64 * row + column (a row error costs 64). */
    lv_32fc_t pts[4096];
    sj_modem_constellation(mod, pts);
    const float step = lv_creal(pts[1]) - lv_creal(pts[0]);
    const float chan_var = (64.0f * 64.0f + 1.0f) * (n0 / 2.0f) / (step * step);
    const float lwe_sd = (float)sj_lwe_noise_std(prm);
    const float bob_var = fminf(lwe_sd * lwe_sd + chan_var, p * p / 12.0f);

    /* Bob: decrypt with S and d, then dequantise. */
    if (check(sj_lwe_decrypt_soft(dec, soft, d, plain), "soft decryption") ||
        check(sj_quantizer_soft_dequant(q, plain, n, bob_var, z), "dequantise"))
        goto done;
    for (size_t i = 0; i < n; i++)
        bob[i] = (uint8_t)fminf(255.0f, fmaxf(0.0f, roundf(z[i] / to_zp)));
    /* Eve: every public thing, no S; the best she can use is the ciphertext itself. */
    if (check(sj_quantizer_soft_dequant(q, soft, n, bob_var, z), "dequantise (Eve)"))
        goto done;
    for (size_t i = 0; i < n; i++)
        eve[i] = (uint8_t)fminf(255.0f, fmaxf(0.0f, roundf(z[i] / to_zp)));
    rc = 0;
done:
    sj_softdemod_destroy(sd);
    sj_modem_destroy(mod);
    sj_lwe_decryptor_destroy(dec);
    sj_lwe_encryptor_destroy(enc);
    sj_lwe_seckey_destroy(sec);
    sj_lwe_pubkey_destroy(pub);
    sj_quantizer_destroy(q);
    free(z), free(soft), free(plain), free(zq), free(c), free(d);
    volk_free(sym);
    return rc;
}

/* Bob and Eve for the srec chain on 16QAM. */
static int run_srec(const struct options* o, const uint8_t* px, size_t n, sj_awgn* ch, uint8_t* bob, uint8_t* eve)
{
    uint8_t key[SJ_KEYSTREAM_KEY_BYTES], wrong[SJ_KEYSTREAM_KEY_BYTES], nonce[SJ_KEYSTREAM_NONCE_BYTES];
    sj_keystream *alice = NULL, *bob_ks = NULL, *eve_ks = NULL;
    sj_modem* mod = NULL;
    int rc = 1;
    uint8_t* ct = malloc(n);
    uint8_t* rx = malloc(n);
    lv_32fc_t* sym = volk_malloc(2 * n * sizeof *sym, volk_get_alignment());
    if (!ct || !rx || !sym) {
        fprintf(stderr, "securejscc-chain-demo: out of memory\n");
        goto done;
    }
    if (check(sj_keystream_key_generate(key), "key generation") ||
        check(sj_keystream_key_generate(wrong), "key generation") ||
        check(sj_keystream_create(key, 256, &alice), "keystream") ||
        check(sj_keystream_create(key, 256, &bob_ks), "keystream") ||
        check(sj_keystream_create(wrong, 256, &eve_ks), "keystream") ||
        check(sj_modem_create(SJ_MOD_16QAM, &mod), "16QAM modem"))
        goto done;
    if (check(sj_keystream_encrypt_u8(alice, px, ct, n, nonce), "encrypt") ||
        check(sj_modem_map_bytes(mod, ct, n, sym), "16QAM mapping"))
        goto done;
    sj_awgn_apply(ch, sym, sym, 2 * n, sj_awgn_noise_var(o->snr_db, 1.0f));
    if (check(sj_modem_demap_bytes(mod, sym, 2 * n, rx), "16QAM demapping") ||
        check(sj_keystream_decrypt_u8(bob_ks, nonce, rx, bob, n), "decrypt") ||
        check(sj_keystream_decrypt_u8(eve_ks, nonce, rx, eve, n), "decrypt (Eve, wrong key)"))
        goto done;
    rc = 0;
done:
    sodium_memzero(key, sizeof key);
    sodium_memzero(wrong, sizeof wrong);
    sj_keystream_destroy(alice);
    sj_keystream_destroy(bob_ks);
    sj_keystream_destroy(eve_ks);
    sj_modem_destroy(mod);
    free(ct), free(rx);
    volk_free(sym);
    return rc;
}

/* Side-by-side mosaic of the images with a 4-pixel white gap. */
static int write_mosaic(const char* path, struct result* r, int count)
{
    const int gap = 4, w = r[0].img->width, h = r[0].img->height;
    sj_image* m = NULL;
    if (check(sj_image_create(count * w + (count - 1) * gap, h, &m), "mosaic"))
        return 1;
    memset(m->data, 255, sj_image_size(m));
    for (int i = 0; i < count; i++)
        for (int y = 0; y < h; y++)
            memcpy(m->data + ((size_t)y * m->width + (size_t)i * (w + gap)) * 3, r[i].img->data + (size_t)y * w * 3,
                   (size_t)w * 3);
    int rc = check(sj_image_write_png(path, m), "writing the mosaic");
    sj_image_destroy(m);
    return rc;
}

int main(int argc, char** argv)
{
    struct options o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    sj_image* src = NULL;
    if (check(sj_image_read_png(o.image, &src), "reading the input image"))
        return 1;
    if (mkdir(o.out_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "securejscc-chain-demo: cannot create %s: %s\n", o.out_dir, strerror(errno));
        return 1;
    }
    const size_t n = sj_image_size(src);
    struct result res[5] = { { "input", NULL, 0, 0 },    { "lwe_bob", NULL, 0, 0 }, { "lwe_eve", NULL, 0, 0 },
                              { "srec_bob", NULL, 0, 0 }, { "srec_eve", NULL, 0, 0 } };
    res[0].img = src;
    for (int i = 1; i < 5; i++)
        if (check(sj_image_create(src->width, src->height, &res[i].img), "image"))
            return 1;
    sj_awgn* ch = NULL;
    if (check(sj_awgn_create(o.seed, &ch), "channel"))
        return 1;

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    printf("input %s: %dx%d, %zu values, SNR %.1f dB, LWE preset %s, l = %zu\n", o.image, src->width, src->height, n,
           o.snr_db, sj_lwe_preset_params(o.preset)->name, o.block);
    rc = run_lwe(&o, src->data, n, ch, res[1].img->data, res[2].img->data);
    double t_lwe = seconds_since(&t0);
    if (!rc)
        rc = run_srec(&o, src->data, n, ch, res[3].img->data, res[4].img->data);
    double t_all = seconds_since(&t0);

    if (!rc) {
        printf("\n%-10s %10s %8s\n", "image", "PSNR dB", "SSIM");
        for (int i = 0; i < 5 && !rc; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.png", o.out_dir, res[i].name);
            rc = check(sj_image_write_png(path, res[i].img), "writing an image");
            if (i == 0 || rc)
                continue;
            rc = check(sj_psnr(src->data, res[i].img->data, src->width, src->height, 3, &res[i].psnr), "PSNR") ||
                 check(sj_ssim(src->data, res[i].img->data, src->width, src->height, 3, &res[i].ssim), "SSIM");
            printf("%-10s %10.2f %8.4f\n", res[i].name, res[i].psnr, res[i].ssim);
        }
    }
    if (!rc) {
        char path[4096];
        snprintf(path, sizeof path, "%s/mosaic.png", o.out_dir);
        rc = write_mosaic(path, res, 5);
        printf("\nlwe chain %.2f s, srec chain %.2f s\n", t_lwe, t_all - t_lwe);
        printf("wrote %s/{input,lwe_bob,lwe_eve,srec_bob,srec_eve,mosaic}.png\n", o.out_dir);
        printf("(mosaic, left to right: input, lwe Bob, lwe Eve, srec Bob, srec Eve)\n");
    }
    sj_awgn_destroy(ch);
    for (int i = 0; i < 5; i++)
        sj_image_destroy(res[i].img);
    return rc;
}
