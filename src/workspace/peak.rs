//! The process's peak memory while one rule runs, so that a run can say
//! which rules need the most (Linux: the resident size of
//! `/proc/self/statm`, sampled every [`SAMPLE_EVERY`] by a watching
//! thread). Sampled, not read from the kernel's high-water mark: resetting
//! that mark between rules would also reset what `/usr/bin/time`, a
//! scheduler or the bench read as the whole run's peak. Elsewhere there is
//! no figure rather than a wrong one. Also: memory the rules freed is
//! handed back before the statistics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a [`Watch`] reads the resident size.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(5);

/// Watches the resident size from [`Watch::start`] to [`Watch::stop`].
pub struct Watch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Watch {
    /// Starts watching; without a readable resident size nothing is watched.
    pub fn start() -> Self {
        let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
        let thread = resident_bytes().is_some().then(|| {
            let (stop, peak) = (Arc::clone(&stop), Arc::clone(&peak));
            std::thread::spawn(move || {
                loop {
                    peak.fetch_max(resident_bytes().unwrap_or(0), Ordering::Relaxed);
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    std::thread::park_timeout(SAMPLE_EVERY);
                }
            })
        });
        Self { stop, peak, thread }
    }

    /// The largest resident size seen, in bytes (the last sample taken at
    /// the stop).
    pub fn stop(mut self) -> Option<u64> {
        let thread = self.thread.take()?;
        self.stop.store(true, Ordering::Relaxed);
        thread.thread().unpark();
        thread.join().ok()?;
        Some(self.peak.load(Ordering::Relaxed))
    }
}

/// The resident size now, in bytes.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    Some(parse_resident_pages(&statm)? * page_size())
}

fn page_size() -> u64 {
    #[cfg(unix)]
    // SAFETY: sysconf only reads a configuration value.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    #[cfg(not(unix))]
    let size = 4096;
    u64::try_from(size).unwrap_or(4096)
}

/// `size resident shared text lib data dt` (pages) → resident pages.
fn parse_resident_pages(statm: &str) -> Option<u64> {
    statm.split_whitespace().nth(1)?.parse().ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The kernel's high-water mark of this process (`VmHWM`), in bytes.
    fn high_water_mark() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        Some(line.trim_start_matches("VmHWM:").trim().strip_suffix("kB")?.trim().parse::<u64>().ok()? * 1024)
    }

    #[test]
    fn reads_the_resident_pages() {
        // /proc/self/statm: size 2000 pages, resident 1234 pages, …
        assert_eq!(parse_resident_pages("2000 1234 300 50 0 900 0\n"), Some(1234));
        assert_eq!(parse_resident_pages("2000"), None);
    }

    #[test]
    fn a_watched_peak_counts_memory_touched_and_leaves_the_process_peak_alone() {
        // 256 MB touched and given back: the process's peak is above what it
        // holds now, so a reset of the peak would lower it.
        drop(std::hint::black_box(vec![1u8; 256 << 20]));
        let Some(before) = high_water_mark() else {
            return; // not Linux: no figure is promised
        };
        let watch = Watch::start();
        // 64 MB touched and held while watched.
        let touched = vec![1u8; 64 << 20];
        std::thread::sleep(4 * SAMPLE_EVERY);
        std::hint::black_box(&touched);
        let peak = watch.stop().expect("Linux has /proc/self/statm");
        assert!(peak >= 64 << 20, "64 MB touched count in the peak: {peak}");
        assert!(high_water_mark().unwrap() >= before, "the process's own peak is left alone");
    }
}
