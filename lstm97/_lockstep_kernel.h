/* The lockstep kernel of lstm97._lockstep: K lanes, each one network of the same topology
 * trained on its own sequences, every per-weight loop running across the lanes (the lane
 * index innermost).  Header only: _lockstep.pyx includes it, so the extension is one C file.
 *
 * Bit identity with _core.pyx.  A lane performs exactly the floating-point operations of
 * Core._step, in the same order: the net input sums its gathered sources from the first
 * column on and adds a symbol's column after; logistic(x) is 1 / (1 + exp(-x)) with libm's
 * exp, or with a vector exp that equals it bit for bit (exp_neg, _exp.h); the sigmoid
 * squashes are 2 half e - half, their slopes 2 half e (1 - e).  Where one lane has a target
 * and another not, the other's error is exactly 0.0, so every product it adds to its update
 * is a zero and the update (never -0.0: a round-to-nearest sum of non-zero terms is not) is
 * unchanged; its E and its update are chosen, not summed, where a zero would not be exact.
 * setup.py compiles the extension with -ffp-contract=off: the scalar core runs on x86-64's
 * baseline, without FMA, so a fused multiply-add here would round differently (the vector
 * exp's fmas are written out, as libm's own build has them).
 *
 * Failures.  The kernel never raises and never replays: a lane whose state (the same sum as
 * Core._step's ``check``), traces, update or applied weights turn non-finite stops and is
 * reported LS_FAILED; its network's arrays are left as they were, and the caller reruns its
 * batch with the scalar core, which (being bit-identical up to there) names the step. */
#ifndef LSTM97_LOCKSTEP_KERNEL_H
#define LSTM97_LOCKSTEP_KERNEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "_groups.h"       /* HIDDEN .. OUTPUT, N_GROUPS */

#define LS_MAX_LANES 16

/* What a lane ends as. */
enum { LS_IDLE = 0, LS_RUNNING = 1, LS_DONE = 2, LS_FAILED = 3 };

/* The layout of one topology, as _core.pyx::Core.__init__ builds it. */
typedef struct {
    ptrdiff_t n_inputs, n_outputs, n_hidden, n_blocks, n_cells, n_units, n_weights;
    int output_gates, h_identity, g_logistic;
    double h_half, g_half;
    ptrdiff_t g_rows[N_GROUPS], g_width[N_GROUPS], g_off[N_GROUPS], g_set[N_GROUPS];
    /* Source sets: at most one per group; the hidden groups read at most N_GROUPS - 1. */
    ptrdiff_t s_nx[N_GROUPS], s_width[N_GROUPS], s_buf[N_GROUPS], s_xoff[N_GROUPS], s_roff[N_GROUPS];
    ptrdiff_t hid_sets[N_GROUPS - 1], n_hid_sets, n_src;
    const ptrdiff_t *xcols, *rcols, *xpos, *out_pos, *block_start;
} ls_net;

/* One lane's batch (as Core.run takes it) and its network's state arrays (Core.state_arrays),
 * read at the start (the weights) and written at the end only if the whole batch trained. */
typedef struct {
    const double *x;                 /* (N, n_inputs), or NULL for symbols */
    const ptrdiff_t *symbols;        /* (N,), or NULL for dense input */
    const ptrdiff_t *offsets;        /* (n + 1,) */
    ptrdiff_t n;                     /* sequences; 0: an idle lane */
    const double *targets;           /* (N, n_outputs) */
    const unsigned char *mask;       /* (N,) */
    double *outputs;                 /* (N, n_outputs) or NULL */
    double *errors;                  /* (n,) */
    double *w, *grad, *tr_in, *tr_c, *s, *y;
    /* out */
    int status;                      /* LS_IDLE, LS_DONE or LS_FAILED */
    ptrdiff_t t, failed_at;          /* the last sequence's steps; the sequence a failed lane stopped in */
    double error;                    /* the last sequence's E */
} ls_lane;

/* Scratch of K lanes, every array lane-innermost: entry e of lane l at [e * K + l]. */
typedef struct {
    double *w, *grad, *tr_in, *tr_c, *s, *yp, *yc, *gsrc, *h_s, *dh_s, *y_k, *e_k, *back, *zeros;
    double *z, *gz, *dgz, *ex;      /* per cell: net input, g, g'; exp's results, per unit */
} ls_work;


enum { MODE_TRAIN_SEQUENCE = 2, MODE_TRAIN_STEP = 3 };

#include "_exp.h"                /* ls_exp, exp_neg: libm's exp, as the scalar core calls it */

#define INLINE static inline __attribute__((always_inline))

/* A loop over the lanes.  Its iterations touch only their own lane's entries (ivdep, which
 * spares the alias checks), and it is left to the loop vectoriser whole (unroll 1): GCC
 * would otherwise unroll a 4- or 8-trip loop first, and not always re-vectorise it. */
#define L(l) _Pragma("GCC ivdep") _Pragma("GCC unroll 1") for (int l = 0; l < K; l++)

/* Bit 63 set iff v is inf or NaN (as _core.pyx's nonfinite_bit). */
INLINE uint64_t nonfinite_bit(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u & 0x7FF0000000000000ULL) + 0x0010000000000000ULL;
}

/* Per step: where each lane's inputs, target and outputs are. */
typedef struct {
    const double *xrow[LS_MAX_LANES];
    ptrdiff_t sym[LS_MAX_LANES];
    int64_t tgt[LS_MAX_LANES];                   /* -1: the lane has a target at this step */
    const double *tp[LS_MAX_LANES];
    double *op[LS_MAX_LANES];
    ptrdiff_t sp[N_GROUPS][LS_MAX_LANES];        /* per source set: compact column of the symbol, or -1 */
    int symbols, any_target;
} ls_tick;

INLINE void logistic(double *restrict y, const double *restrict x, const int K)
{
    double e[LS_MAX_LANES];
    exp_neg(e, x, K);
    L(l) y[l] = 1.0 / (1.0 + e[l]);
}

INLINE void gather(const ls_net *n, ls_work *wk, ls_tick *tk, ptrdiff_t s, const double *rest, const int K)
{
    double *buf = wk->gsrc + n->s_buf[s] * K;
    ptrdiff_t nx = n->s_nx[s], m;
    const ptrdiff_t *rc = n->rcols + n->s_roff[s];
    if (!tk->symbols) {
        const ptrdiff_t *xc = n->xcols + n->s_xoff[s];
        for (m = 0; m < nx; m++)
            L(l) buf[m * K + l] = tk->xrow[l][xc[m]];
    } else {
        L(l) tk->sp[s][l] = n->xpos[s * n->n_inputs + tk->sym[l]];
    }
    for (m = 0; m < n->s_width[s] - nx; m++)
        L(l) buf[(nx + m) * K + l] = rest[rc[m] * K + l];
}

/* Net input of unit ``row`` of group ``g``: Core._net. */
INLINE void net_input(double *restrict acc, const ls_net *n, const ls_work *wk, const ls_tick *tk,
                      int g, ptrdiff_t row, const int K)
{
    ptrdiff_t s = n->g_set[g], width = n->g_width[g], lo = tk->symbols ? n->s_nx[s] : 0, m;
    const double *restrict wr = wk->w + (n->g_off[g] + row * width) * K;
    const double *restrict src = wk->gsrc + n->s_buf[s] * K;
    L(l) acc[l] = 0.0;
    for (m = lo; m < width; m++)
        L(l) acc[l] += wr[m * K + l] * src[m * K + l];
    if (tk->symbols)
        L(l) {
            ptrdiff_t c = tk->sp[s][l];
            if (c >= 0)
                acc[l] += wr[c * K + l];
        }
}

/* The net inputs of every unit of group ``g`` into ``out`` (row r at out + r K), two rows at
 * a time so that each source is loaded once for both; each row's sum is net_input's. */
INLINE void net_rows(double *restrict out, const ls_net *n, const ls_work *wk, const ls_tick *tk, int g,
                     const int K)
{
    ptrdiff_t s = n->g_set[g], width = n->g_width[g], lo = tk->symbols ? n->s_nx[s] : 0, m, r;
    const double *restrict src = wk->gsrc + n->s_buf[s] * K;
    for (r = 0; r + 1 < n->g_rows[g]; r += 2) {
        const double *restrict w0 = wk->w + (n->g_off[g] + r * width) * K, *restrict w1 = w0 + width * K;
        double a0[LS_MAX_LANES], a1[LS_MAX_LANES];
        L(l) { a0[l] = 0.0; a1[l] = 0.0; }
        for (m = lo; m < width; m++)
            L(l) {
                double x = src[m * K + l];
                a0[l] += w0[m * K + l] * x;
                a1[l] += w1[m * K + l] * x;
            }
        if (tk->symbols)
            L(l) {
                ptrdiff_t c = tk->sp[s][l];
                if (c >= 0) {
                    a0[l] += w0[c * K + l];
                    a1[l] += w1[c * K + l];
                }
            }
        L(l) { out[r * K + l] = a0[l]; out[(r + 1) * K + l] = a1[l]; }
    }
    if (r < n->g_rows[g])
        net_input(out + r * K, n, wk, tk, g, r, K);
}

/* dst += a * the sources of group g: Core._accumulate. */
INLINE void accumulate(double *restrict dst, const double *restrict a, const ls_net *n, const ls_work *wk,
                       const ls_tick *tk, int g, const int K)
{
    ptrdiff_t s = n->g_set[g], width = n->g_width[g], lo = tk->symbols ? n->s_nx[s] : 0, m;
    const double *restrict src = wk->gsrc + n->s_buf[s] * K;
    for (m = lo; m < width; m++)
        L(l) dst[m * K + l] += a[l] * src[m * K + l];
    if (tk->symbols)
        L(l) {
            ptrdiff_t c = tk->sp[s][l];
            if (c >= 0)
                dst[c * K + l] += a[l];
        }
}

/* accumulate() of two rows that read the same source set (the traces of a cell's input gate
 * and of the cell itself, eqs. 25 and 27, when the two groups read the same sources). */
INLINE void accumulate2(double *restrict d0, const double *restrict a0, double *restrict d1,
                        const double *restrict a1, const ls_net *n, const ls_work *wk, const ls_tick *tk,
                        int g, const int K)
{
    ptrdiff_t s = n->g_set[g], width = n->g_width[g], lo = tk->symbols ? n->s_nx[s] : 0, m;
    const double *restrict src = wk->gsrc + n->s_buf[s] * K;
    for (m = lo; m < width; m++)
        L(l) {
            double x = src[m * K + l];
            d0[m * K + l] += a0[l] * x;
            d1[m * K + l] += a1[l] * x;
        }
    if (tk->symbols)
        L(l) {
            ptrdiff_t c = tk->sp[s][l];
            if (c >= 0) {
                d0[c * K + l] += a0[l];
                d1[c * K + l] += a1[l];
            }
        }
}

INLINE void axpy(const double *restrict a, const double *restrict x, double *restrict y, ptrdiff_t width, const int K)
{
    for (ptrdiff_t m = 0; m < width; m++)
        L(l) y[m * K + l] += a[l] * x[m * K + l];
}

/* One time step of every lane (Core._step with learning on); adds each lane's state to
 * ``check`` and, in step mode, ORs a non-finite applied weight into ``bad``. */
INLINE void step(const ls_net *n, ls_work *wk, ls_tick *tk, double *restrict error, double *restrict check,
                 uint64_t *restrict bad, int mode, double lr, const int K)
{
    ptrdiff_t i, j, k, v, u, m;
    const ptrdiff_t H = n->n_hidden, C = n->n_blocks, KO = n->n_outputs;
    const ptrdiff_t og_base = 1 + H + C, cell_base = og_base + (n->output_gates ? C : 0);
    const ptrdiff_t wi = n->g_width[INPUT_GATE], wc = n->g_width[CELL], wk_out = n->g_width[OUTPUT];
    const double g2 = 2.0 * n->g_half, gh = n->g_half, h2 = 2.0 * n->h_half, hh = n->h_half;
    double *restrict yc = wk->yc;
    double acc[LS_MAX_LANES];
    double a[LS_MAX_LANES], sum[LS_MAX_LANES], ones[LS_MAX_LANES];
    L(l) ones[l] = 1.0;

    for (m = 0; m < n->n_hid_sets; m++)
        gather(n, wk, tk, n->hid_sets[m], wk->yp, K);

    /* The hidden units' and the gates' net inputs, then their exps in one loop (a call of
     * exp spills every vector register, so the calls are kept together), then the rest;
     * each value's own operations are Core._step's, and ``check`` sums in its order. */
    const ptrdiff_t n_first = H + C * (n->output_gates ? 2 : 1), n_all = n_first * K, n_cell = n->n_cells * K;
    double *restrict ex = wk->ex, *restrict z = wk->z, *restrict gzs = wk->gz, *restrict dgzs = wk->dgz;
    const int same_sources = n->g_set[INPUT_GATE] == n->g_set[CELL];
    net_rows(yc + K, n, wk, tk, HIDDEN, K);                        /* eq. 6 */
    net_rows(yc + (1 + H) * K, n, wk, tk, INPUT_GATE, K);          /* eqs. 7, 8 */
    net_rows(yc + og_base * K, n, wk, tk, OUTPUT_GATE, K);         /* no rows without output gates */
    net_rows(z, n, wk, tk, CELL, K);
    exp_neg(ex, yc + K, n_all);
    for (i = 0; i < n_all; i++)
        yc[K + i] = 1.0 / (1.0 + ex[i]);
    exp_neg(ex, z, n_cell);
    if (n->g_logistic) {
        for (i = 0; i < n_cell; i++) {
            double g = 1.0 / (1.0 + ex[i]);
            gzs[i] = g;
            dgzs[i] = g * (1.0 - g);
        }
    } else {
        for (i = 0; i < n_cell; i++) {
            double e1 = 1.0 / (1.0 + ex[i]);
            gzs[i] = g2 * e1 - gh;
            dgzs[i] = g2 * e1 * (1.0 - e1);
        }
    }
    for (j = 0; j < C; j++) {
        const double *restrict y_in = yc + (1 + H + j) * K;
        for (v = n->block_start[j]; v < n->block_start[j + 1]; v++) {
            const double *restrict gz = gzs + v * K, *restrict dgz = dgzs + v * K;
            double *restrict s = wk->s + v * K, a_c[LS_MAX_LANES];
            L(l) a[l] = gz[l] * (y_in[l] * (1.0 - y_in[l]));
            L(l) a_c[l] = dgz[l] * y_in[l];
            if (same_sources)
                accumulate2(wk->tr_in + v * wi * K, a, wk->tr_c + v * wc * K, a_c, n, wk, tk, CELL, K);
            else {
                accumulate(wk->tr_in + v * wi * K, a, n, wk, tk, INPUT_GATE, K);    /* eq. 25 */
                accumulate(wk->tr_c + v * wc * K, a_c, n, wk, tk, CELL, K);         /* eq. 27 */
            }
            L(l) s[l] = s[l] + y_in[l] * gz[l];                                 /* eq. 9: the CEC */
        }
    }
    if (n->h_identity) {
        for (i = 0; i < n_cell; i++) {
            wk->h_s[i] = wk->s[i];
            wk->dh_s[i] = 1.0;
        }
    } else {
        exp_neg(ex, wk->s, n_cell);
        for (i = 0; i < n_cell; i++) {
            double e1 = 1.0 / (1.0 + ex[i]);
            wk->h_s[i] = h2 * e1 - hh;
            wk->dh_s[i] = h2 * e1 * (1.0 - e1);
        }
    }
    for (i = 0; i < H; i++)
        L(l) check[l] += yc[(1 + i) * K + l];
    for (j = 0; j < C; j++) {
        L(l) check[l] += yc[(1 + H + j) * K + l];
        if (n->output_gates)
            L(l) check[l] += yc[(og_base + j) * K + l];
    }
    for (j = 0; j < C; j++) {
        const double *restrict y_out = n->output_gates ? yc + (og_base + j) * K : ones;
        for (v = n->block_start[j]; v < n->block_start[j + 1]; v++)
            L(l) {
                yc[(cell_base + v) * K + l] = y_out[l] * wk->h_s[v * K + l];
                check[l] += wk->s[v * K + l] + yc[(cell_base + v) * K + l];
            }
    }

    if (tk->any_target) {
        double *restrict y_k = wk->y_k, *restrict e_k = wk->e_k, *restrict back = wk->back;
        double *restrict grad = wk->grad;
        gather(n, wk, tk, n->g_set[OUTPUT], yc, K);
        for (k = 0; k < KO; k++) {
            net_input(acc, n, wk, tk, OUTPUT, k, K);
            logistic(y_k + k * K, acc, K);
            L(l) check[l] += tk->tgt[l] ? y_k[k * K + l] : 0.0;
            L(l) if (tk->tgt[l] && tk->op[l] != NULL) tk->op[l][k] = y_k[k * K + l];
        }
        L(l) sum[l] = 0.0;
        for (k = 0; k < KO; k++) {                                   /* eq. 19 */
            double t[LS_MAX_LANES];
            L(l) t[l] = tk->tgt[l] ? tk->tp[l][k] : 0.0;
            L(l) {
                double yk = y_k[k * K + l], d = tk->tgt[l] ? t[l] - yk : 0.0;
                sum[l] += d * d;
                e_k[k * K + l] = yk * (1.0 - yk) * d;
            }
        }
        L(l) {
            error[l] = tk->tgt[l] ? error[l] + 0.5 * sum[l] : error[l];
            check[l] += tk->tgt[l] ? error[l] : 0.0;
        }
        for (u = 0; u < n->n_units; u++) {
            m = n->out_pos[u];
            L(l) acc[l] = 0.0;
            if (m >= 0) {
                const double *wrow = wk->w + (n->g_off[OUTPUT] + m) * K;
                for (k = 0; k < KO; k++)
                    L(l) acc[l] += wrow[k * wk_out * K + l] * e_k[k * K + l];
            }
            L(l) back[u * K + l] = acc[l];
        }
        for (k = 0; k < KO; k++)                                     /* eq. 22, l = k */
            accumulate(grad + (n->g_off[OUTPUT] + k * wk_out) * K, e_k + k * K, n, wk, tk, OUTPUT, K);
        for (i = 0; i < H; i++) {                                    /* eqs. 20, 22, l = i */
            L(l) { double yi = yc[(1 + i) * K + l]; a[l] = yi * (1.0 - yi) * back[i * K + l]; }
            accumulate(grad + (n->g_off[HIDDEN] + i * n->g_width[HIDDEN]) * K, a, n, wk, tk, HIDDEN, K);
        }
        for (j = 0; j < C; j++) {
            const double *restrict y_out = n->output_gates ? yc + (og_base + j) * K : ones;
            L(l) acc[l] = 0.0;
            for (v = n->block_start[j]; v < n->block_start[j + 1]; v++) {
                u = cell_base - 1 + v;
                L(l) {
                    acc[l] += wk->h_s[v * K + l] * back[u * K + l];
                    a[l] = y_out[l] * wk->dh_s[v * K + l] * back[u * K + l];          /* eq. 23 */
                }
                axpy(a, wk->tr_in + v * wi * K, grad + (n->g_off[INPUT_GATE] + j * wi) * K, wi, K);  /* eq. 26 */
                axpy(a, wk->tr_c + v * wc * K, grad + (n->g_off[CELL] + v * wc) * K, wc, K);         /* eq. 28 */
            }
            if (n->output_gates) {                                   /* eqs. 21, 22, l = out_j */
                L(l) a[l] = y_out[l] * (1.0 - y_out[l]) * acc[l];
                accumulate(grad + (n->g_off[OUTPUT_GATE] + j * n->g_width[OUTPUT_GATE]) * K, a, n, wk, tk,
                           OUTPUT_GATE, K);
            }
        }
        if (mode == MODE_TRAIN_STEP) {                               /* DECISIONS item 4 */
            double *restrict w = wk->w;
            for (i = 0; i < n->n_weights; i++)
                L(l) {
                    double nw = w[i * K + l] + lr * grad[i * K + l];
                    bad[l] |= tk->tgt[l] ? nonfinite_bit(nw) : 0;
                    w[i * K + l] = tk->tgt[l] ? nw : w[i * K + l];
                    grad[i * K + l] = tk->tgt[l] ? 0.0 : grad[i * K + l];
                }
        }
    }
    memcpy(wk->yp, yc, (size_t)((1 + n->n_units) * K) * sizeof(double));
}

/* Lane l's cell states and activations from a reset state (Core._reset's first part). */
static void reset_activations(const ls_net *n, ls_work *wk, int K, int l)
{
    ptrdiff_t i;
    for (i = 0; i < n->n_cells; i++)
        wk->s[i * K + l] = 0.0;
    for (i = 0; i < 1 + n->n_units; i++)
        wk->yp[i * K + l] = 0.0;
    wk->yp[l] = 1.0;
}

/* Lane l from a reset state (Core._reset); its weights stay. */
static void reset_lane(const ls_net *n, ls_work *wk, int K, int l)
{
    ptrdiff_t i;
    reset_activations(n, wk, K, l);
    for (i = 0; i < n->n_cells * n->g_width[INPUT_GATE]; i++)
        wk->tr_in[i * K + l] = 0.0;
    for (i = 0; i < n->n_cells * n->g_width[CELL]; i++)
        wk->tr_c[i * K + l] = 0.0;
    for (i = 0; i < n->n_weights; i++)
        wk->grad[i * K + l] = 0.0;
}

/* Copy lane l's entries of a lane-innermost array to or from a plain one. */
static void lane_copy(int out, double *lanes, double *plain, ptrdiff_t size, int K, int l)
{
    for (ptrdiff_t i = 0; i < size; i++) {
        if (out)
            plain[i] = lanes[i * K + l];
        else
            lanes[i * K + l] = plain[i];
    }
}

/* A lane that has stopped keeps stepping with the others, on zero weights and zero input from
 * a reset state (so its values stay small and finite), and is never read again. */
static void park(const ls_net *n, ls_work *wk, int K, int l)
{
    for (ptrdiff_t i = 0; i < n->n_weights; i++)
        wk->w[i * K + l] = 0.0;
    reset_lane(n, wk, K, l);
}

/* Whether any of a lane's entries is not finite (the top bit of the result), zeroing them as it
 * reads them when `clear` is set: one pass where a scan and a reset took two (with K lanes, a
 * lane's entries are K apart, so each pass costs as many cache lines as the whole array). */
INLINE uint64_t lane_nonfinite(double *a, ptrdiff_t size, int K, int l, int clear)
{
    uint64_t acc = 0;
    for (ptrdiff_t i = 0; i < size; i++) {
        acc |= nonfinite_bit(a[i * K + l]);
        if (clear)
            a[i * K + l] = 0.0;
    }
    return acc;
}

INLINE int run_k(const ls_net *n, ls_work *wk, ls_lane *lanes, int mode, double lr, const int K)
{
    ls_tick tk;
    ptrdiff_t pos[LS_MAX_LANES], seq[LS_MAX_LANES], end[LS_MAX_LANES], steps[LS_MAX_LANES];
    double error[LS_MAX_LANES], check[LS_MAX_LANES];
    uint64_t bad[LS_MAX_LANES];
    ptrdiff_t n_in = n->n_inputs, n_out = n->n_outputs, size_in = n->n_cells * n->g_width[INPUT_GATE];
    ptrdiff_t size_c = n->n_cells * n->g_width[CELL];
    int running = 0;
    tk.symbols = -1;
    L(l) {
        ls_lane *ln = &lanes[l];
        ln->failed_at = -1;
        wk->yc[l] = 1.0;                         /* the bias unit */
        if (ln->n > 0) {
            if (tk.symbols == -1)
                tk.symbols = ln->symbols != NULL;
            ln->status = LS_RUNNING;
            running++;
            lane_copy(0, wk->w, ln->w, n->n_weights, K, l);
            reset_lane(n, wk, K, l);
            seq[l] = 0;
            pos[l] = ln->offsets[0];
            end[l] = ln->offsets[1];
        } else {
            ln->status = LS_IDLE;
            park(n, wk, K, l);
        }
        error[l] = 0.0;
        steps[l] = 0;
    }
    if (tk.symbols == -1)
        tk.symbols = 0;
    while (running > 0) {
        tk.any_target = 0;
        L(l) {
            ls_lane *ln = &lanes[l];
            if (ln->status == LS_RUNNING) {
                ptrdiff_t p = pos[l];
                if (tk.symbols)
                    tk.sym[l] = ln->symbols[p];
                else
                    tk.xrow[l] = ln->x + p * n_in;
                tk.tgt[l] = ln->mask[p] ? -1 : 0;
                tk.tp[l] = ln->targets + p * n_out;
                tk.op[l] = ln->outputs != NULL ? ln->outputs + p * n_out : NULL;
                if (tk.op[l] != NULL && !ln->mask[p])      /* a step without a target: NaN, as Core.run */
                    for (ptrdiff_t k = 0; k < n_out; k++)
                        tk.op[l][k] = NAN;
            } else {
                tk.sym[l] = 0;
                tk.xrow[l] = wk->zeros;
                tk.tgt[l] = 0;
                tk.tp[l] = wk->zeros;                /* never read: no target */
                tk.op[l] = NULL;
            }
            tk.any_target |= tk.tgt[l] != 0;
            check[l] = 0.0;
            bad[l] = 0;
        }
        step(n, wk, &tk, error, check, bad, mode, lr, K);
        L(l) {
            ls_lane *ln = &lanes[l];
            if (ln->status != LS_RUNNING)
                continue;
            if (!isfinite(check[l]) || (bad[l] >> 63)) {
                ln->status = LS_FAILED;
                ln->failed_at = seq[l];
                running--;
                park(n, wk, K, l);
                continue;
            }
            steps[l]++;
            if (++pos[l] < end[l])
                continue;
            /* The end of a sequence: its update (sequence mode), then Core._one's scan, and
             * for a lane that goes on, the next sequence's reset (Core._reset), in as few
             * passes as they allow.  In sequence mode the update is applied and cleared here,
             * so its scan (of zeros) and its reset are left out; the traces are scanned and,
             * unless the lane's network is about to be copied out, cleared in the same pass. */
            uint64_t b = 0;
            int last = seq[l] + 1 == ln->n;
            if (mode == MODE_TRAIN_SEQUENCE) {
                for (ptrdiff_t i = 0; i < n->n_weights; i++) {
                    double nw = wk->w[i * K + l] + lr * wk->grad[i * K + l];
                    b |= nonfinite_bit(nw);
                    wk->w[i * K + l] = nw;
                    wk->grad[i * K + l] = 0.0;
                }
            } else {
                b |= lane_nonfinite(wk->grad, n->n_weights, K, l, !last);
            }
            b |= lane_nonfinite(wk->tr_in, size_in, K, l, !last)
                 | lane_nonfinite(wk->tr_c, size_c, K, l, !last);
            if (b >> 63) {
                ln->status = LS_FAILED;
                ln->failed_at = seq[l];
                running--;
                park(n, wk, K, l);
                continue;
            }
            ln->errors[seq[l]] = error[l];
            if (++seq[l] == ln->n) {
                lane_copy(1, wk->w, ln->w, n->n_weights, K, l);
                lane_copy(1, wk->grad, ln->grad, n->n_weights, K, l);
                lane_copy(1, wk->tr_in, ln->tr_in, size_in, K, l);
                lane_copy(1, wk->tr_c, ln->tr_c, size_c, K, l);
                lane_copy(1, wk->s, ln->s, n->n_cells, K, l);
                lane_copy(1, wk->yp, ln->y, 1 + n->n_units, K, l);
                ln->t = steps[l];
                ln->error = error[l];
                ln->status = LS_DONE;
                running--;
                park(n, wk, K, l);
            } else {
                end[l] = ln->offsets[seq[l] + 1];
                reset_activations(n, wk, K, l);      /* the update and the traces are clear */
            }
            error[l] = 0.0;
            steps[l] = 0;
        }
    }
    return 0;
}

/* Each K is built three times: for x86-64's baseline, for AVX2, and for AVX-512 (F, VL, DQ,
 * BW, CD: x86-64-v4), each with the operations of the baseline build, since -ffp-contract=off
 * keeps the compiler from fusing any (the only fmas are the vector exp's, which has its own
 * target).  ls_isa_usable says which of them this CPU runs; Lanes picks the widest unless told
 * otherwise, so that a test can run each build the CPU has.  With LS_BASELINE_ONLY defined
 * (CFLAGS=-DLS_BASELINE_ONLY), the baseline one alone. */
enum { LS_ISA_BASELINE = 0, LS_ISA_AVX2 = 1, LS_ISA_AVX512 = 2, LS_N_ISAS = 3 };

#if defined(LS_BASELINE_ONLY) || !defined(__x86_64__)
#define LS_BUILD(K, ISA, TARGET)
#else
#define LS_BUILD(K, ISA, TARGET) \
    __attribute__((target(TARGET))) \
    static int run_##K##_##ISA(const ls_net *n, ls_work *wk, ls_lane *lanes, int mode, double lr) \
    { return run_k(n, wk, lanes, mode, lr, K); }
#endif

#define LANES(K) \
    static int run_##K##_base(const ls_net *n, ls_work *wk, ls_lane *lanes, int mode, double lr) \
    { return run_k(n, wk, lanes, mode, lr, K); } \
    LS_BUILD(K, avx2, "avx2") \
    LS_BUILD(K, avx512, "avx512f,avx512vl,avx512dq,avx512bw,avx512cd")

LANES(4)
LANES(8)
LANES(16)

/* 1 if this build has ``isa`` and the CPU runs it. */
static int ls_isa_usable(int isa)
{
    if (isa == LS_ISA_BASELINE)
        return 1;
#if defined(LS_BASELINE_ONLY) || !defined(__x86_64__)
    return 0;
#else
    __builtin_cpu_init();
    if (isa == LS_ISA_AVX2)
        return __builtin_cpu_supports("avx2");
    if (isa == LS_ISA_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512cd");
    return 0;
#endif
}

#if defined(LS_BASELINE_ONLY) || !defined(__x86_64__)
#define LS_PICK(K) return run_##K##_base(net, work, lanes, mode, learning_rate);
#else
#define LS_PICK(K) \
    switch (isa) { \
    case LS_ISA_AVX512: return run_##K##_avx512(net, work, lanes, mode, learning_rate); \
    case LS_ISA_AVX2: return run_##K##_avx2(net, work, lanes, mode, learning_rate); \
    default: return run_##K##_base(net, work, lanes, mode, learning_rate); \
    }
#endif

/* Train every lane's batch in lockstep; K is 4, 8 or 16 (returns -1 otherwise), ``isa`` one
 * that ls_isa_usable accepts (the caller checks).  ``mode`` is 2 (train sequence) or 3 (train
 * step), as lstm97._core.Mode. */
static int ls_run(int K, int isa, const ls_net *net, ls_work *work, ls_lane *lanes, int mode,
                  double learning_rate)
{
    switch (K) {
    case 4: LS_PICK(4)
    case 8: LS_PICK(8)
    case 16: LS_PICK(16)
    default: return -1;
    }
}

#endif
