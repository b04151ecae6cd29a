"""Peak-memory measurement shared by the micro-benchmarks (Linux): the kernel's per-process counters.

``reset_peak()`` sets ``VmHWM`` (the peak resident set size) to the current RSS by writing ``5`` to
``/proc/self/clear_refs``; ``status('VmRSS')`` / ``status('VmHWM')`` read the current / peak RSS in bytes. A
computation's peak extra memory is ``status('VmHWM') - status('VmRSS')`` read before it, after a reset.
"""


def status(key: str) -> int:
    """``key`` (e.g. ``'VmRSS'``, ``'VmHWM'``) of ``/proc/self/status``, in bytes."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def reset_peak() -> bool:
    """Reset ``VmHWM`` to the current RSS; False where ``/proc/self/clear_refs`` is not writable."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False
