/* The weight groups of an LSTM layout, in their order in the weight vector: one home for the
 * scalar core (_core.pyx) and the lockstep kernel (_lockstep_kernel.h).  Their names are
 * lstm97._layout.GROUP_NAMES; each extension checks this enum against them when it loads. */
#ifndef LSTM97_GROUPS_H
#define LSTM97_GROUPS_H

enum { HIDDEN = 0, INPUT_GATE = 1, OUTPUT_GATE = 2, CELL = 3, OUTPUT = 4, N_GROUPS = 5 };

#endif
