/* The cost of LWE in bytes and channel uses: key file sizes per preset and block length l,
 * and the bandwidth overhead of d (n2 values per block of l) for CIFAR-10 and Kodak
 * images. Prints Markdown tables for docs/lwe.md.
 *
 *   bench_lwe_overhead            (from the build tree: bench/bench_lwe_overhead)
 *
 * Key sizes are the sizes of real files written by the library into a temporary folder
 * and stat'ed; for l = 196608 (keygen of ~100 MB keys takes seconds) they are computed
 * from the format instead, with the formula first checked against every stat'ed file. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <securejscc/lwe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONTAINER_BYTES (24 + 64 + 32) /* fixed header + LWE header + checksum */

static const size_t lengths[] = { 128, 512, 4096, 196608 };
#define NL (sizeof lengths / sizeof lengths[0])
#define STAT_MAX_L 4096 /* above this, sizes come from the formula */

static long long pub_formula(const sj_lwe_params* pp, size_t l)
{
    return CONTAINER_BYTES + 2LL * ((long long)pp->n1 * pp->n2 + (long long)pp->n1 * (long long)l);
}

static long long sec_formula(const sj_lwe_params* pp, size_t l)
{
    return CONTAINER_BYTES + 2LL * (long long)pp->n2 * (long long)l;
}

static long long file_size(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void human(char* buf, size_t n, long long b)
{
    if (b >= 10LL << 20)
        snprintf(buf, n, "%.1f MiB", b / 1048576.0);
    else if (b >= 10LL << 10)
        snprintf(buf, n, "%.1f KiB", b / 1024.0);
    else
        snprintf(buf, n, "%lld B", b);
}

static int key_sizes(void)
{
    const char* tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/sj-lwe-overhead-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    printf("### LWE key file sizes\n\n");
    printf("| preset | n | l | public key file | secret key file | source |\n");
    printf("|---|---:|---:|---:|---:|---|\n");
    int bad = 0;
    for (int pr = SJ_LWE_TOY; pr <= SJ_LWE_HIGH; pr++) {
        const sj_lwe_params* pp = sj_lwe_preset_params((sj_lwe_preset)pr);
        for (size_t i = 0; i < NL; i++) {
            size_t l = lengths[i];
            long long pubb = pub_formula(pp, l), secb = sec_formula(pp, l);
            const char* src = "format";
            if (l <= STAT_MAX_L) {
                char pubp[600], secp[600];
                snprintf(pubp, sizeof pubp, "%s/k.pub", dir);
                snprintf(secp, sizeof secp, "%s/k.sec", dir);
                sj_lwe_pubkey* pub = NULL;
                sj_lwe_seckey* sec = NULL;
                if (sj_lwe_keygen((sj_lwe_preset)pr, l, &pub, &sec) != SJ_OK ||
                    sj_lwe_pubkey_save(pub, pubp, 1) != SJ_OK || sj_lwe_seckey_save(sec, secp, 1) != SJ_OK) {
                    fprintf(stderr, "key generation or save failed: %s\n", sj_last_error());
                    return 1;
                }
                sj_lwe_pubkey_destroy(pub);
                sj_lwe_seckey_destroy(sec);
                long long sp = file_size(pubp), ss = file_size(secp);
                if (sp != pubb || ss != secb) {
                    fprintf(stderr, "%s l=%zu: files are %lld/%lld bytes, formula says %lld/%lld\n", pp->name, l, sp,
                            ss, pubb, secb);
                    bad = 1;
                }
                pubb = sp, secb = ss, src = "stat";
                unlink(pubp), unlink(secp);
            }
            char hp[32], hs[32];
            human(hp, sizeof hp, pubb);
            human(hs, sizeof hs, secb);
            printf("| %s | %u | %zu | %lld (%s) | %lld (%s) | %s |\n", pp->name, pp->n1, l, pubb, hp, secb, hs, src);
        }
    }
    rmdir(dir);
    printf("\nformula: public = %d + 2 (n1 n2 + n1 l), secret = %d + 2 n2 l bytes; %s\n\n", CONTAINER_BYTES,
           CONTAINER_BYTES, bad ? "MISMATCH with the written files" : "matches every written file");
    return bad;
}

static void overhead(void)
{
    struct {
        const char* name;
        unsigned h, w;
    } imgs[] = { { "CIFAR-10 32x32", 32, 32 }, { "Kodak 768x512", 768, 512 } };
    const sj_lwe_params* med = sj_lwe_preset_params(SJ_LWE_MEDIUM);
    const sj_lwe_params* low = sj_lwe_preset_params(SJ_LWE_LOW);
    const sj_lwe_params* high = sj_lwe_preset_params(SJ_LWE_HIGH);
    printf("### Bandwidth overhead of d (k = H W 3 / 6 values at rho = 1/6)\n\n");
    printf("| image | k | l | blocks | d symbols (medium) | (k + d) / (H W 3) | vs 1/6 | overhead d/k medium "
           "| low | high |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t m = 0; m < 2; m++) {
        size_t n = (size_t)imgs[m].h * imgs[m].w * 3, k = n / 6;
        for (size_t i = 0; i < NL; i++) {
            size_t l = lengths[i];
            if (l > k) {
                printf("| %s | %zu | %zu | - | - | - | - | skipped: l > k | | |\n", imgs[m].name, k, l);
                continue;
            }
            size_t blocks = sj_lwe_num_blocks(l, k), d = sj_lwe_d_length(med, l, k);
            double ratio = (double)(k + d) / (double)n;
            printf("| %s | %zu | %zu | %zu | %zu | %.4f | %.2fx | %.2f %% | %.2f %% | %.2f %% |\n", imgs[m].name, k, l,
                   blocks, d, ratio, ratio * 6.0, 100.0 * d / k, 100.0 * sj_lwe_d_length(low, l, k) / k,
                   100.0 * sj_lwe_d_length(high, l, k) / k);
        }
    }
    printf("\nl > k is skipped: the payload is then one short block, so d and the bandwidth are those of l = k,\n"
           "while both key files grow with l for nothing.\n");
}

int main(void)
{
    int rc = key_sizes();
    overhead();
    return rc;
}
