//! Loading and resolving a large config costs memory proportional to the file: a small
//! multiple of it, not a String (and a path) per key and value.
//!
//! One test in its own binary: it counts every allocation of the process, so nothing else may
//! run beside it.

use mfatui::aws::config::{ConfigSet, FileKind, ProfileGraph};
use std::alloc::{GlobalAlloc, Layout, System};
use std::fmt::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Peak heap while loading `text` and resolving its profiles, over the text's size.
fn peak_ratio(text: String) -> f64 {
    let size = text.len();
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let mut set = ConfigSet::default();
    set.merge_text(FileKind::Config, Path::new("config"), text);
    let graph = ProfileGraph::build(&set);
    assert!(graph.diagnostics.is_empty(), "{:?}", &graph.diagnostics[..1]);
    drop(graph);
    drop(set);
    (PEAK.load(Relaxed) - before) as f64 / size as f64
}

#[test]
fn memory_is_a_small_multiple_of_the_file() {
    let size = 4_000_000;
    let mut small = String::with_capacity(size + 300);
    for u in 0..100 {
        write!(
            small,
            "[profile user{u}]\naws_access_key_id = AKIA{u:016}\naws_secret_access_key = {}\n",
            "s".repeat(40)
        )
        .unwrap();
    }
    let mut i = 0;
    while small.len() < size {
        write!(
            small,
            "[profile role{i}]\nrole_arn = arn:aws:iam::{}:role/team/role{i}\nsource_profile = user{}\nregion = us-east-1\nduration_seconds = 3600\nexternal_id = ext-{i}\n\n",
            200_000_000_000u64 + i % 97,
            i % 100
        )
        .unwrap();
        i += 1;
    }
    let small = peak_ratio(small);

    let mut long = String::with_capacity(size + 300);
    for i in 0..10 {
        let value = "r".repeat(size / 20);
        write!(long, "[profile long{i}]\noutput = {value}\nnote = {value}\n\n").unwrap();
    }
    let long = peak_ratio(long);

    eprintln!("peak heap over file size: small profiles {small:.2}x, long values {long:.2}x");
    // A String per key and value, with a path per property, cost about 9x for small profiles.
    assert!(small < 6.0, "small profiles: {small:.2}x the file");
    assert!(long < 1.5, "long values: {long:.2}x the file");
}
