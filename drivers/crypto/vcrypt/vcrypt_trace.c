// SPDX-License-Identifier: GPL-2.0
/*
 * vcrypt: the trace events of vcrypt_trace.h, defined here once.
 */
#define CREATE_TRACE_POINTS
#include "vcrypt_trace.h"
