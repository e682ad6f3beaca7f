use super::*;
use std::sync::atomic::AtomicUsize;

/// A listener out of descriptors: every accept fails at once.
struct Exhausted(Arc<AtomicUsize>);

impl Listener for Exhausted {
    type Conn = ();
    async fn accept(&self) -> io::Result<()> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Err(io::Error::from_raw_os_error(libc::EMFILE))
    }
}

#[tokio::test]
async fn out_of_descriptors_the_accept_loop_backs_off_instead_of_spinning() {
    let calls = Arc::new(AtomicUsize::new(0));
    let stop = tokio::time::sleep(Duration::from_millis(600));
    accept_loop(Exhausted(calls.clone()), Registry::new(4), stop, |_, _| {}).await;
    // Backing off from 5 ms doubling: about 8 tries in 0.6 s; a spinning loop makes millions.
    let n = calls.load(Ordering::Relaxed);
    assert!((2..60).contains(&n), "{n} accept calls in 0.6 s");
}

#[tokio::test]
async fn the_oldest_waiting_connection_makes_room_and_busy_ones_stay() {
    let r = Registry::new(2);
    let first = r.admit();
    let second = r.admit();
    let busy = second.slot.busy();
    // Both young: the room comes once the waiting one is old enough to be closed.
    tokio::time::timeout(Duration::from_secs(2), r.make_room()).await.unwrap();
    assert_eq!(r.len(), 1, "the waiting connection was closed, the busy one kept");
    tokio::time::timeout(Duration::from_millis(100), first.slot.ended())
        .await
        .expect("the evicted one is told to close");
    // Full of busy connections: wait until one ends.
    let third = r.admit();
    let b3 = third.slot.busy();
    assert!(tokio::time::timeout(Duration::from_millis(400), r.make_room()).await.is_err());
    drop((b3, third));
    tokio::time::timeout(Duration::from_secs(1), r.make_room()).await.unwrap();
    drop(busy);
}

#[tokio::test]
async fn a_connection_gets_its_head_deadline_then_the_idle_one_and_none_while_busy() {
    let (head, idle) = (Duration::from_millis(200), Duration::from_millis(600));
    let r = Registry::with_deadlines(8, head, idle);
    let a = r.admit();
    let started = Instant::now();
    a.slot.ended().await;
    let took = started.elapsed();
    assert!(took >= head && took < idle, "{took:?}");
    let b = r.admit();
    let busy = b.slot.busy();
    assert!(tokio::time::timeout(Duration::from_millis(1500), b.slot.ended()).await.is_err(), "busy: no deadline");
    drop(busy);
    let idle_from = Instant::now();
    b.slot.ended().await;
    assert!(idle_from.elapsed() >= idle, "{:?}", idle_from.elapsed());
    // Bytes on an idle connection start a new head deadline.
    let c = r.admit();
    drop(c.slot.busy());
    c.slot.bytes_in();
    let from = Instant::now();
    c.slot.ended().await;
    assert!(from.elapsed() < idle, "{:?}", from.elapsed());
}
