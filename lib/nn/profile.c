/* Per-node timing of plan runs, for finding where a network spends its time.
 *
 * Off unless the environment variable SJ_NN_PROFILE is set (read once per process), so a
 * normal run pays one predictable branch per node. When on, run.c accumulates each node's
 * time in the plan (every run but the first, whose page faults would dominate), and
 * sj_nn_plan_destroy prints one line per node to stderr (milliseconds per run, share of
 * the total, op, output shape, direct kernel or not; fused nodes marked), then the totals
 * by op. It is the calling thread's CPU time, not wall time, so that a
 * loaded machine (other processes taking turns on the core) distorts it less. */
#define _POSIX_C_SOURCE 200809L
#include "plan_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int sj_nn_profile_enabled(void)
{
    static int cached = -1; /* benign race: every thread computes the same value */
    if (cached < 0)
        cached = getenv("SJ_NN_PROFILE") != NULL;
    return cached;
}

double sj_nn_profile_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void sj_nn_profile_report(const sj_nn_plan* p)
{
    if (!p->prof_s || p->prof_runs == 0)
        return;
    const sj_nn_model* m = p->m;
    double total = 0.0, by_op[SJ_OP_COUNT] = { 0 };
    for (size_t i = 0; i < m->nnodes; i++) {
        total += p->prof_s[i];
        by_op[m->nodes[i].op] += p->prof_s[i];
    }
    double runs = (double)p->prof_runs;
    fprintf(stderr, "sj_nn profile: %zu runs, %.3f ms per run (input %zux%zux%zu)\n",
            p->prof_runs, 1e3 * total / runs, p->in_padded.c, p->in_padded.h, p->in_padded.w);
    for (size_t i = 0; i < m->nnodes; i++) {
        const sj_nn_node* n = &m->nodes[i];
        sj_nn_shape o = p->shapes[n->out];
        if (p->exec[i].fused) {
            fprintf(stderr, "  %3zu %-18s fused\n", i, sj_nn_op_name(n->op));
            continue;
        }
        fprintf(stderr, "  %3zu %8.3f ms %5.1f%% %-18s %zux%zux%zu k%zu s%zu %s\n", i,
                1e3 * p->prof_s[i] / runs, total > 0 ? 100.0 * p->prof_s[i] / total : 0.0,
                sj_nn_op_name(n->op), o.c, o.h, o.w, n->kh, n->sh,
                p->exec[i].isa ? "direct" : "");
    }
    for (int op = 0; op < SJ_OP_COUNT; op++)
        if (by_op[op] > 0.0)
            fprintf(stderr, "  total %-18s %8.3f ms %5.1f%%\n", sj_nn_op_name((sj_nn_opcode)op),
                    1e3 * by_op[op] / runs, 100.0 * by_op[op] / total);
}
