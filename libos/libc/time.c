/*
 * Time: the kernel's monotonic clock (capos_time_ns: computed from the TSC
 * with the parameters in the bootstrap page, the value Timer.now gives,
 * no system call) and Timer.sleep over "timer".
 *
 * CLOCK_MONOTONIC (and _RAW, _COARSE, CLOCK_BOOTTIME) is that clock.
 * CLOCK_REALTIME has no source: capOS has no RTC or network time
 * capability, so wall-clock time starts at the Unix epoch at boot
 * (realtime = monotonic + offset, offset 0).  clock_settime(CLOCK_REALTIME)
 * and settimeofday set this process's offset only (there is nothing
 * shared to set).  The CPU-time clocks are EINVAL: the kernel does not
 * account CPU time to processes.  gettimeofday and time() are realtime.
 * Without "timer" sleeps fail with ENOSYS, and so do the clocks when the
 * kernel published no clock parameters.
 *
 * Sleeps are Timer.sleep on the calling thread (other threads go on) and
 * last at least as long as asked; nothing interrupts them (no signals),
 * so nanosleep's remaining time is always zero.
 */
#define _GNU_SOURCE 1  /* CLOCK_MONOTONIC_RAW and the other Linux clock names */
#include <time.h>
#include <sys/time.h>
#include <unistd.h>
#include <capos/rt.h>
#include "libc_internal.h"
#include "../rt/rt_internal.h"

#define NS_PER_S 1000000000ll

static int64_t realtime_offset_ns;  /* realtime - monotonic */

static int now_ns(uint64_t *ns)
{
	capos_errno = 0;
	*ns = capos_time_ns();
	if (*ns == 0 && capos_errno == -CAPOS_ENOENT)
		return libc_fail(ENOSYS);
	if (*ns == 0 && capos_errno)
		return libc_fail_capos(capos_errno);
	return 0;
}

static int is_monotonic(clockid_t id)
{
	return id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW || id == CLOCK_MONOTONIC_COARSE ||
	       id == CLOCK_BOOTTIME;
}

static int is_realtime(clockid_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
}

static void to_timespec(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS_PER_S);
	ts->tv_nsec = (long)(ns % NS_PER_S);
	if (ts->tv_nsec < 0) {
		ts->tv_sec--;
		ts->tv_nsec += NS_PER_S;
	}
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	uint64_t ns;

	if (!is_monotonic(id) && !is_realtime(id))
		return libc_fail(EINVAL);
	if (now_ns(&ns))
		return -1;
	to_timespec(is_realtime(id) ? (int64_t)ns + __atomic_load_n(&realtime_offset_ns, __ATOMIC_RELAXED)
				    : (int64_t)ns,
		    ts);
	return 0;
}

int clock_getres(clockid_t id, struct timespec *res)
{
	if (!is_monotonic(id) && !is_realtime(id))
		return libc_fail(EINVAL);
	if (res) {
		res->tv_sec = 0;
		res->tv_nsec = 1;
	}
	return 0;
}

static int set_realtime(int64_t ns)
{
	uint64_t now;

	if (now_ns(&now))
		return -1;
	__atomic_store_n(&realtime_offset_ns, ns - (int64_t)now, __ATOMIC_RELAXED);
	return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	if (!is_realtime(id) || !ts || ts->tv_nsec < 0 || ts->tv_nsec >= NS_PER_S || ts->tv_sec < 0)
		return libc_fail(EINVAL);
	return set_realtime((int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec);
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	if (tz) {
		struct timezone *z = tz;

		z->tz_minuteswest = 0;
		z->tz_dsttime = 0;
	}
	if (!tv)
		return 0;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tz;
	if (!tv)
		return 0;
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000 || tv->tv_sec < 0)
		return libc_fail(EINVAL);
	return set_realtime((int64_t)tv->tv_sec * NS_PER_S + tv->tv_usec * 1000);
}

static int sleep_ns(uint64_t ns)
{
	int err;

	if (!rt_cap(RT_CAP_TIMER))
		return libc_fail(ENOSYS);
	if (ns == 0)
		return 0;
	err = capos_sleep_ns(ns);
	return err ? libc_fail_capos(err) : 0;
}

static int valid(const struct timespec *ts)
{
	return ts && ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NS_PER_S;
}

static uint64_t ns_of(const struct timespec *ts)
{
	if ((uint64_t)ts->tv_sec >= UINT64_MAX / NS_PER_S)
		return UINT64_MAX / 2;  /* centuries: as good as for ever */
	return (uint64_t)ts->tv_sec * NS_PER_S + (uint64_t)ts->tv_nsec;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (!valid(req))
		return libc_fail(EINVAL);
	if (sleep_ns(ns_of(req)))
		return -1;
	if (rem)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}

/* clock_nanosleep returns the error number instead of setting errno. */
int clock_nanosleep(clockid_t id, int flags, const struct timespec *req, struct timespec *rem)
{
	struct timespec now;
	int64_t target, cur;

	if (!valid(req) || (!is_monotonic(id) && !is_realtime(id)))
		return EINVAL;
	if (!(flags & TIMER_ABSTIME))
		return nanosleep(req, rem) ? errno : 0;
	if (clock_gettime(id, &now))
		return errno;
	target = (int64_t)ns_of(req);
	cur = (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec;
	if (target <= cur)
		return 0;
	return sleep_ns((uint64_t)(target - cur)) ? errno : 0;
}

int usleep(useconds_t us)
{
	return sleep_ns((uint64_t)us * 1000);
}

unsigned sleep(unsigned seconds)
{
	return sleep_ns((uint64_t)seconds * NS_PER_S) ? seconds : 0;
}
