//! The process's peak memory while one rule runs, so that a run can say
//! which rules need the most (Linux: the high-water mark `VmHWM` of
//! `/proc/self/status`, reset between rules through
//! `/proc/self/clear_refs`). Elsewhere, or where the kernel refuses the
//! reset, there is no figure rather than a wrong one. Also: memory the
//! rules freed is handed back before the statistics.

/// Starts a new measurement: true when the peak was reset.
pub fn reset() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The peak resident memory since the last [`reset`], in bytes.
pub fn bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_high_water_mark(&status)
}

/// Hands memory the allocator holds free back to the system: glibc keeps
/// the freed middle of its heap otherwise, and after the rules of a long
/// run that is gigabytes on top of what the statistics need. (Between
/// rules it costs more time than it saves memory: the next rule faults
/// the pages in again.)
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages of the allocator's own
    // heap to the kernel; it touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// `VmHWM:   123456 kB` → bytes.
fn parse_high_water_mark(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kilobytes: u64 = line.trim_start_matches("VmHWM:").trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kilobytes * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_high_water_mark_in_bytes() {
        let status = "Name:\tkvalitet\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\n";
        // 123 456 kB × 1024 = 126 418 944 bytes.
        assert_eq!(parse_high_water_mark(status), Some(126_418_944));
        assert_eq!(parse_high_water_mark("Name:\tx\n"), None);
    }

    #[test]
    fn a_reset_peak_grows_with_memory_touched() {
        if !reset() {
            return; // not Linux, or the kernel refuses: no figure is promised
        }
        // Held while measured, so a reset by another thread cannot hide it.
        let touched = vec![1u8; 64 << 20];
        std::hint::black_box(&touched);
        assert!(bytes().unwrap() >= 64 << 20, "64 MB touched and held count in the peak");
    }
}
