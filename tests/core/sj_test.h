/* A minimal unit-test harness for the C core: each tests/core/test_<name>.c is one
 * executable that registers its cases with SJ_TEST and ends with SJ_TEST_MAIN. A failed
 * SJ_CHECK prints file:line and the message, marks the case failed and goes on, so one
 * run shows every broken property. The last line is "<name>: N passed, N failed". */
#ifndef SJ_TEST_H
#define SJ_TEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*sj_test_fn)(int* failed);

struct sj_test_case {
    const char* name;
    sj_test_fn fn;
};

#define SJ_MAX_TESTS 128
static struct sj_test_case sj_tests[SJ_MAX_TESTS];
static int sj_ntests;

#define SJ_TEST(name)                                                          \
    static void name(int* sj_failed_);                                         \
    __attribute__((constructor)) static void sj_register_##name(void)         \
    {                                                                          \
        if (sj_ntests < SJ_MAX_TESTS)                                          \
            sj_tests[sj_ntests++] = (struct sj_test_case){ #name, name };      \
    }                                                                          \
    static void name(int* sj_failed_)

#define SJ_CHECK(cond, ...)                                                    \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  %s:%d: check failed: %s: ", __FILE__, __LINE__, \
                    #cond);                                                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            *sj_failed_ = 1;                                                   \
        }                                                                      \
    } while (0)

/* Stops the current case (for checks later code depends on, e.g. a NULL object). */
#define SJ_REQUIRE(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) { /* evaluated once: cond may have effects */            \
            fprintf(stderr, "  %s:%d: required check failed: %s: ", __FILE__,  \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fprintf(stderr, "\n");                                             \
            *sj_failed_ = 1;                                                   \
            return;                                                            \
        }                                                                      \
    } while (0)

#define SJ_CHECK_NEAR(a, b, tol)                                               \
    SJ_CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%.9g vs %.9g (tol %g)", \
             (double)(a), (double)(b), (double)(tol))

#define SJ_TEST_MAIN(suite)                                                    \
    int main(int argc, char** argv)                                            \
    {                                                                          \
        int passed = 0, failed = 0;                                            \
        for (int i = 0; i < sj_ntests; i++) {                                  \
            if (argc > 1 && strstr(sj_tests[i].name, argv[1]) == NULL)         \
                continue;                                                      \
            int f = 0;                                                         \
            sj_tests[i].fn(&f);                                                \
            printf("%s %s\n", f ? "FAIL" : "ok  ", sj_tests[i].name);          \
            fflush(stdout);                                                    \
            if (f)                                                             \
                failed++;                                                      \
            else                                                               \
                passed++;                                                      \
        }                                                                      \
        printf("%s: %d passed, %d failed\n", suite, passed, failed);           \
        return failed ? 1 : 0;                                                 \
    }

#endif
