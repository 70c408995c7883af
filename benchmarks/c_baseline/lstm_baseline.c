/* A plain-C baseline of the 1997 LSTM (Hochreiter & Schmidhuber), for the benchmarks.
 *
 * The same algorithm as lstm97's core (lstm97/_core.pyx) for one kind of net: fully
 * connected ("F"), dense inputs, every unit biased, blocks with an input and an output
 * gate, no conventional hidden units, h(s) = h_range (2 f(s) - 1) and
 * g(z) = g_range (2 f(z) - 1) with f the logistic function.  Forward eqs. 6-9, the
 * truncated-RTRL traces ds/dw of eqs. 25 and 27, the error and update of eqs. 19-28,
 * the update applied at the end of the sequence.  Written as straightforward C:
 * contiguous arrays and simple loops; no checks for non-finite values.
 *
 * Sources and weights
 * -------------------
 * Gates and cells read the M = n_inputs + 1 + n_units sources
 * [x_0 .. x_{n_inputs-1}, 1, y_in_0 .., y_out_0 .., y_c_0 ..] of step t-1 (the
 * activations; x of step t); the outputs read the 1 + n_cells sources [1, y_c_0 ..]
 * of step t.  The flat weight vector holds, in this order, row-major:
 *
 *   input gates   (n_blocks, M)
 *   output gates  (n_blocks, M)
 *   cells         (n_cells, M)       cells numbered block by block
 *   outputs       (n_outputs, 1 + n_cells)
 *
 * which is the order of lstm97's source_names with the absent columns left out.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct net {
    int n_inputs, n_outputs, n_blocks, n_cells;
    int n_units;        /* 2 n_blocks gates + n_cells */
    int n_sources;      /* M */
    int n_out_sources;  /* 1 + n_cells */
    int n_weights;
    double h_range, g_range;
    int *block;         /* (n_cells,) the block of each cell */
    double *w;          /* (n_weights,) */
    double *grad;       /* (n_weights,) accumulated -dE/dw */
    double *tr_in;      /* (n_cells, M) ds_v/dw of the input gate of v's block (eq. 25) */
    double *tr_c;       /* (n_cells, M) ds_v/dw of cell v (eq. 27) */
    double *s;          /* (n_cells,) cell states */
    double *src;        /* (M,) sources of the hidden units */
    double *y;          /* (n_units,) activations of this step */
    double *out_src;    /* (1 + n_cells,) sources of the outputs */
    double *h_s, *dh_s; /* (n_cells,) h(s) and h'(s) */
    double *e_k;        /* (n_outputs,) output errors (eq. 19) */
    double *back;       /* (n_cells,) sum_k w_kv e_k */
} net;

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

static double dot(const double *a, const double *b, int n)
{
    double acc = 0.0;
    for (int m = 0; m < n; m++)
        acc += a[m] * b[m];
    return acc;
}

/* y += a x */
static void axpy(double a, const double *x, double *y, int n)
{
    for (int m = 0; m < n; m++)
        y[m] += a * x[m];
}

void lstm_free(net *n)
{
    if (n == NULL)
        return;
    free(n->block);
    free(n->w);
    free(n);
}

/* A net with zero weights, or NULL if out of memory. */
net *lstm_create(int n_inputs, int n_outputs, int n_blocks, const int *block_sizes,
                 double h_range, double g_range)
{
    net *n = calloc(1, sizeof(net));
    if (n == NULL)
        return NULL;
    n->n_inputs = n_inputs;
    n->n_outputs = n_outputs;
    n->n_blocks = n_blocks;
    for (int j = 0; j < n_blocks; j++)
        n->n_cells += block_sizes[j];
    n->n_units = 2 * n_blocks + n->n_cells;
    n->n_sources = n_inputs + 1 + n->n_units;
    n->n_out_sources = 1 + n->n_cells;
    n->n_weights = (2 * n_blocks + n->n_cells) * n->n_sources + n_outputs * n->n_out_sources;
    n->h_range = h_range;
    n->g_range = g_range;

    int M = n->n_sources, C = n->n_cells;
    size_t total = 2 * (size_t)n->n_weights + 2 * (size_t)C * M + C + M + n->n_units
                   + n->n_out_sources + 2 * (size_t)C + n_outputs + C;
    n->block = malloc(C * sizeof(int));
    n->w = calloc(total, sizeof(double));   /* every double array, one after the other */
    if (n->block == NULL || n->w == NULL) {
        lstm_free(n);
        return NULL;
    }
    for (int j = 0, v = 0; j < n_blocks; j++)
        for (int i = 0; i < block_sizes[j]; i++)
            n->block[v++] = j;
    n->grad = n->w + n->n_weights;
    n->tr_in = n->grad + n->n_weights;
    n->tr_c = n->tr_in + (size_t)C * M;
    n->s = n->tr_c + (size_t)C * M;
    n->src = n->s + C;
    n->y = n->src + M;
    n->out_src = n->y + n->n_units;
    n->h_s = n->out_src + n->n_out_sources;
    n->dh_s = n->h_s + C;
    n->e_k = n->dh_s + C;
    n->back = n->e_k + n_outputs;
    return n;
}

int lstm_n_weights(const net *n) { return n->n_weights; }

void lstm_set_weights(net *n, const double *w) { memcpy(n->w, w, n->n_weights * sizeof(double)); }

void lstm_get_weights(const net *n, double *w) { memcpy(w, n->w, n->n_weights * sizeof(double)); }

/* Train on one sequence from a reset state and return its error E = 1/2 sum (t_k - y_k)^2.
 *
 * x is (T, n_inputs), target (T, n_outputs), mask (T,) non-zero at the steps with a
 * target; the update accumulated over the sequence is applied at its end,
 * w += lr * (-dE/dw).
 */
double train_sequence(net *n, const double *x, const double *target, const unsigned char *mask,
                      int T, double lr)
{
    const int I = n->n_inputs, K = n->n_outputs, B = n->n_blocks, C = n->n_cells;
    const int M = n->n_sources, MK = n->n_out_sources;
    const double hr = n->h_range, gr = n->g_range;
    double *w_in = n->w, *w_out = w_in + B * M, *w_c = w_out + B * M, *w_k = w_c + C * M;
    double *d_in = n->grad, *d_out = d_in + B * M, *d_c = d_out + B * M, *d_k = d_c + C * M;
    double *y_in = n->y, *y_out = n->y + B, *y_c = n->y + 2 * B;
    double E = 0.0;

    memset(n->grad, 0, n->n_weights * sizeof(double));
    memset(n->tr_in, 0, (size_t)C * M * sizeof(double));
    memset(n->tr_c, 0, (size_t)C * M * sizeof(double));
    memset(n->s, 0, C * sizeof(double));
    memset(n->src, 0, M * sizeof(double));
    n->src[I] = 1.0;
    n->out_src[0] = 1.0;

    for (int t = 0; t < T; t++) {
        memcpy(n->src, x + (size_t)t * I, I * sizeof(double));

        for (int j = 0; j < B; j++) {                                /* eqs. 7, 8 */
            y_in[j] = logistic(dot(w_in + j * M, n->src, M));
            y_out[j] = logistic(dot(w_out + j * M, n->src, M));
        }
        for (int v = 0; v < C; v++) {
            int j = n->block[v];
            double e = logistic(dot(w_c + v * M, n->src, M));
            double gz = 2.0 * gr * e - gr;
            double dgz = 2.0 * gr * e * (1.0 - e);
            axpy(gz * (y_in[j] * (1.0 - y_in[j])), n->src, n->tr_in + v * M, M);  /* eq. 25 */
            axpy(dgz * y_in[j], n->src, n->tr_c + v * M, M);                      /* eq. 27 */
            n->s[v] += y_in[j] * gz;                                  /* eq. 9 */
            e = logistic(n->s[v]);
            n->h_s[v] = 2.0 * hr * e - hr;
            n->dh_s[v] = 2.0 * hr * e * (1.0 - e);
            y_c[v] = y_out[j] * n->h_s[v];
            n->out_src[1 + v] = y_c[v];
        }

        if (mask[t]) {
            const double *tk = target + (size_t)t * K;
            double err = 0.0;
            for (int k = 0; k < K; k++) {                             /* eq. 19 */
                double yk = logistic(dot(w_k + k * MK, n->out_src, MK));
                double diff = tk[k] - yk;
                err += diff * diff;
                n->e_k[k] = yk * (1.0 - yk) * diff;
            }
            E += 0.5 * err;
            for (int v = 0; v < C; v++) {           /* error reaching the cells, old weights */
                double acc = 0.0;
                for (int k = 0; k < K; k++)
                    acc += w_k[k * MK + 1 + v] * n->e_k[k];
                n->back[v] = acc;
            }
            for (int k = 0; k < K; k++)                               /* eq. 22, l = k */
                axpy(n->e_k[k], n->out_src, d_k + k * MK, MK);
            for (int j = 0, v = 0; j < B; j++) {
                double acc = 0.0;
                for (; v < C && n->block[v] == j; v++) {
                    acc += n->h_s[v] * n->back[v];
                    double es = y_out[j] * n->dh_s[v] * n->back[v];   /* eq. 23 */
                    axpy(es, n->tr_in + v * M, d_in + j * M, M);      /* eq. 26 */
                    axpy(es, n->tr_c + v * M, d_c + v * M, M);        /* eq. 28 */
                }
                axpy(y_out[j] * (1.0 - y_out[j]) * acc, n->src, d_out + j * M, M);  /* eqs. 21, 22 */
            }
        }

        memcpy(n->src + I + 1, n->y, n->n_units * sizeof(double));  /* y(t) read at t + 1 */
    }

    for (int i = 0; i < n->n_weights; i++)
        n->w[i] += lr * n->grad[i];
    return E;
}
