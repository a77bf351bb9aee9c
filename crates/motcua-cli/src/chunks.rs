//! Long lists judged and written on every core: the items cut into consecutive chunks, one
//! thread each, the results put back in the items' order — so that what is printed does not
//! depend on how many cores did the work.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::thread;

/// `work` applied to `items` cut into consecutive chunks, each on a thread of its own (as many
/// as the machine has cores, and no chunk smaller than `min_chunk` items), the results in the
/// order of the chunks. A list too short to share, or a machine that will not start a thread,
/// does the work on the calling thread; the results are the same either way.
pub fn in_order<T, R>(items: Vec<T>, min_chunk: usize, work: impl Fn(Vec<T>) -> R + Sync) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let parts = cores.min(items.len() / min_chunk.max(1)).max(1);
    if parts == 1 {
        return vec![work(items)];
    }
    let size = items.len().div_ceil(parts);
    let mut chunks = Vec::with_capacity(parts);
    let mut rest = items;
    while rest.len() > size {
        let tail = rest.split_off(rest.len() - size);
        chunks.push(tail);
    }
    chunks.push(rest);
    chunks.reverse();
    // Each chunk waits in a slot; a thread takes its own out. A chunk whose thread did not
    // start is still in its slot afterwards, and done here.
    let slots: Vec<Mutex<Option<Vec<T>>>> =
        chunks.into_iter().map(|c| Mutex::new(Some(c))).collect();
    let take = |slot: &Mutex<Option<Vec<T>>>| match slot.lock() {
        Ok(mut chunk) => chunk.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    };
    let work = &work;
    let take = &take;
    thread::scope(|scope| {
        let started: Vec<_> = slots[1..]
            .iter()
            .map(|slot| {
                thread::Builder::new()
                    .spawn_scoped(scope, move || take(slot).map(work))
                    .ok()
            })
            .collect();
        let mut results = Vec::with_capacity(slots.len());
        results.extend(take(&slots[0]).map(work));
        for (slot, handle) in slots[1..].iter().zip(started) {
            let done = match handle.map(|h| h.join()) {
                Some(Ok(done)) => done,
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                None => None,
            };
            results.extend(done.or_else(|| take(slot).map(work)));
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_results_come_in_the_items_order_whatever_the_chunks() {
        let items: Vec<u32> = (0..10_001).collect();
        for min_chunk in [1, 7, 100, 5_000, 20_000] {
            let parts = in_order(items.clone(), min_chunk, |chunk| chunk);
            let joined: Vec<u32> = parts.into_iter().flatten().collect();
            assert_eq!(joined, items, "min_chunk {min_chunk}");
        }
    }

    #[test]
    fn a_short_list_is_one_chunk_on_the_calling_thread() {
        let me = thread::current().id();
        let parts = in_order(vec![1, 2, 3], 100, |chunk| (chunk, thread::current().id()));
        assert_eq!(parts, vec![(vec![1, 2, 3], me)]);
        assert_eq!(in_order(Vec::<u8>::new(), 1, |c| c.len()), vec![0]);
    }
}
