/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcrypt: trace events of requests, scheduler decisions and card faults.
 *
 * A request of a slice (an open file of /dev/vcryptN, or a crypto API
 * transform of the host slice vcrypt-host<c>) is traced when it is
 * queued (vcrypt_submit), when the scheduler sends it to the card
 * (vcrypt_dispatch, with the state the decision was made on) and when it
 * is finished (vcrypt_complete, with its card time and latency). The
 * card's faults are vcrypt_card_fault. Documentation/tracing.rst describes
 * the events and their use with perf, trace-cmd and bpftrace.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vcrypt

#if !defined(_VCRYPT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VCRYPT_TRACE_H

#include <linux/device.h>
#include <linux/tracepoint.h>

#include "vcrypt.h"
#include "vcrypt_sched.h"

/* The PCI device of the card and the device of the slice of a job */
#define vcrypt_trace_card(job)	dev_name((job)->queue->slice->dev.parent)
#define vcrypt_trace_slice(job)	dev_name(&(job)->queue->slice->dev)

#define vcrypt_trace_alg(op)						\
	__print_symbolic(op,						\
			 { VCRYPT_HW_OP_AES_CBC, "aes-cbc" },		\
			 { VCRYPT_HW_OP_AES_CTR, "aes-ctr" },		\
			 { VCRYPT_HW_OP_AES_XTS, "aes-xts" },		\
			 { VCRYPT_HW_OP_AES_GCM, "aes-gcm" },		\
			 { VCRYPT_HW_OP_SHA256, "sha256" },		\
			 { VCRYPT_HW_OP_SHA512, "sha512" },		\
			 { VCRYPT_HW_OP_HMAC_SHA256, "hmac-sha256" })

TRACE_EVENT(vcrypt_submit,
	    TP_PROTO(const struct vcrypt_job *job, u64 queued),
	    TP_ARGS(job, queued),
	    TP_STRUCT__entry(__string(card, vcrypt_trace_card(job))
			     __string(slice, vcrypt_trace_slice(job))
			     __field(const void *, file)
			     __field(u64, tag)
			     __field(u8, alg)
			     __field(u32, bytes)
			     __field(u64, card_ns)
			     __field(u64, queued)),
	    TP_fast_assign(__assign_str(card);
			   __assign_str(slice);
			   __entry->file = job->queue;
			   __entry->tag = job->tag;
			   __entry->alg = job->cmd.op;
			   __entry->bytes = job->cmd.src_len;
			   __entry->card_ns = job->cost;
			   __entry->queued = queued;),
	    TP_printk("card=%s slice=%s file=%p tag=%llu alg=%s bytes=%u card_ns=%llu queued=%llu",
		      __get_str(card), __get_str(slice), __entry->file,
		      __entry->tag, vcrypt_trace_alg(__entry->alg), __entry->bytes,
		      __entry->card_ns, __entry->queued)
);

TRACE_EVENT(vcrypt_dispatch,
	    TP_PROTO(const struct vcrypt_job *job, u32 weight, u64 start,
		     u64 vtime, u32 inflight, u64 inflight_ns, u64 budget_ns),
	    TP_ARGS(job, weight, start, vtime, inflight, inflight_ns, budget_ns),
	    TP_STRUCT__entry(__string(card, vcrypt_trace_card(job))
			     __string(slice, vcrypt_trace_slice(job))
			     __field(const void *, file)
			     __field(u64, tag)
			     __field(u8, alg)
			     __field(u32, bytes)
			     __field(u64, card_ns)
			     __field(u64, wait_ns)
			     __field(u32, weight)
			     __field(u64, start)
			     __field(u64, vtime)
			     __field(u32, inflight)
			     __field(u64, inflight_ns)
			     __field(u64, budget_ns)),
	    TP_fast_assign(__assign_str(card);
			   __assign_str(slice);
			   __entry->file = job->queue;
			   __entry->tag = job->tag;
			   __entry->alg = job->cmd.op;
			   __entry->bytes = job->cmd.src_len;
			   __entry->card_ns = job->cost;
			   __entry->wait_ns = ktime_get_ns() - job->submitted;
			   __entry->weight = weight;
			   __entry->start = start;
			   __entry->vtime = vtime;
			   __entry->inflight = inflight;
			   __entry->inflight_ns = inflight_ns;
			   __entry->budget_ns = budget_ns;),
	    TP_printk("card=%s slice=%s file=%p tag=%llu alg=%s bytes=%u card_ns=%llu wait_ns=%llu weight=%u start=%llu vtime=%llu inflight=%u inflight_ns=%llu budget_ns=%llu",
		      __get_str(card), __get_str(slice), __entry->file,
		      __entry->tag, vcrypt_trace_alg(__entry->alg), __entry->bytes,
		      __entry->card_ns, __entry->wait_ns, __entry->weight,
		      __entry->start, __entry->vtime, __entry->inflight,
		      __entry->inflight_ns, __entry->budget_ns)
);

TRACE_EVENT(vcrypt_complete,
	    TP_PROTO(const struct vcrypt_job *job),
	    TP_ARGS(job),
	    TP_STRUCT__entry(__string(card, vcrypt_trace_card(job))
			     __string(slice, vcrypt_trace_slice(job))
			     __field(const void *, file)
			     __field(u64, tag)
			     __field(u8, alg)
			     __field(u32, bytes)
			     __field(u64, card_ns)
			     __field(u64, latency_ns)
			     __field(int, status)
			     __field(u32, hw_status)
			     __field(u32, out_len)),
	    TP_fast_assign(__assign_str(card);
			   __assign_str(slice);
			   __entry->file = job->queue;
			   __entry->tag = job->tag;
			   __entry->alg = job->cmd.op;
			   __entry->bytes = job->cmd.src_len;
			   __entry->card_ns = job->cmd.hw_status == VCRYPT_CMD_NO_CQE ?
			   0 : job->cost;
			   __entry->latency_ns = ktime_get_ns() - job->submitted;
			   __entry->status = job->cmd.status;
			   __entry->hw_status = job->cmd.hw_status;
			   __entry->out_len = job->cmd.out_len;),
	    TP_printk("card=%s slice=%s file=%p tag=%llu alg=%s bytes=%u card_ns=%llu latency_ns=%llu status=%d hw_status=%u out_len=%u",
		      __get_str(card), __get_str(slice), __entry->file,
		      __entry->tag, vcrypt_trace_alg(__entry->alg), __entry->bytes,
		      __entry->card_ns, __entry->latency_ns, __entry->status,
		      __entry->hw_status, __entry->out_len)
);

/*
 * What vcrypt_card_fault reports: the card halted (value: its error
 * code), completions went missing (value: the commands failed for it),
 * a completion carried an unknown cookie (value: the cookie), or the
 * completion of a command in flight broke the card's specification
 * (value: its cookie; the command failed with -EIO).
 */
#define VCRYPT_FAULT_HALT	0
#define VCRYPT_FAULT_LOST_CQE	1
#define VCRYPT_FAULT_BAD_CQE	2
#define VCRYPT_FAULT_BAD_RESULT	3

#define vcrypt_trace_fault(kind)					\
	__print_symbolic(kind,						\
			 { VCRYPT_FAULT_HALT, "halt" },			\
			 { VCRYPT_FAULT_LOST_CQE, "lost-completion" },	\
			 { VCRYPT_FAULT_BAD_CQE, "bad-completion" },	\
			 { VCRYPT_FAULT_BAD_RESULT, "bad-result" })

TRACE_EVENT(vcrypt_card_fault,
	    TP_PROTO(const struct vcrypt_dev *vd, u8 kind, u64 value),
	    TP_ARGS(vd, kind, value),
	    TP_STRUCT__entry(__string(card, dev_name(vd->dev))
			     __field(u8, kind)
			     __field(u64, value)
			     __field(u32, in_flight)),
	    TP_fast_assign(__assign_str(card);
			   __entry->kind = kind;
			   __entry->value = value;
			   __entry->in_flight = vd->ring.stats.in_flight;),
	    TP_printk("card=%s fault=%s value=%llu in_flight=%u",
		      __get_str(card),
		      vcrypt_trace_fault(__entry->kind), __entry->value, __entry->in_flight)
);

#endif /* _VCRYPT_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vcrypt_trace
#include <trace/define_trace.h>
