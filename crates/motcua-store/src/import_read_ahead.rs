//! Reading a JSON Lines import ahead, on a thread of its own: lines are parsed into events in
//! blocks while the import checks and stores the blocks before them.
//!
//! An import spends about a third of its time outside the store (reading and parsing lines,
//! checking events); on a machine with a second core this reading overlaps the store's
//! inserts (BENCHMARKS.md, "Import beside its floor"). The events come out exactly as the
//! reader gives them, the first unreadable line last, so an import reads the same with or
//! without the thread ahead of it. Memory stays bounded: at most [`BLOCKS_AHEAD`] blocks of
//! [`BLOCK_EVENTS`] events wait to be taken.

use motcua_core::Event;
use motcua_io::{EventReader, ReadError};
use std::io::{BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver};

/// Events parsed into one block.
pub(crate) const BLOCK_EVENTS: usize = 4096;
/// Blocks parsed ahead of the import.
pub(crate) const BLOCKS_AHEAD: usize = 4;

/// An event and the line it was on, or why a line could not be read.
pub(crate) type Parsed = Result<(u64, Event), ReadError>;

/// A block of parsed lines and where the reader stood after its last one.
pub(crate) struct Block {
    pub(crate) items: Vec<Parsed>,
    /// Bytes consumed from the reader so far.
    pub(crate) bytes_read: u64,
    /// Lines read so far, blank ones included.
    pub(crate) lines_read: u64,
}

/// Reads `reader` on a thread of `scope`, handing blocks to the returned receiver until the
/// input ends, a line cannot be read (its error is the block's last item), or the receiver is
/// dropped. The error is the system's refusal to start the thread.
pub(crate) fn read_ahead<'scope, R: BufRead + Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    reader: R,
) -> std::io::Result<Receiver<Block>> {
    let (blocks, receiver) = sync_channel(BLOCKS_AHEAD);
    std::thread::Builder::new().spawn_scoped(scope, move || {
        let mut reader = motcua_io::read_events(Counting {
            inner: reader,
            count: 0,
        });
        loop {
            let (items, last) = read_block(&mut reader);
            let block = Block {
                items,
                bytes_read: reader.get_ref().count,
                lines_read: reader.lines_read(),
            };
            // A dropped receiver means the import stopped: nothing more to read for.
            if blocks.send(block).is_err() || last {
                break;
            }
        }
    })?;
    Ok(receiver)
}

/// Up to [`BLOCK_EVENTS`] items; whether the input ended or failed with them.
fn read_block<R: BufRead>(reader: &mut EventReader<R>) -> (Vec<Parsed>, bool) {
    let mut items = Vec::with_capacity(BLOCK_EVENTS);
    while items.len() < BLOCK_EVENTS {
        match reader.next_numbered() {
            None => return (items, true),
            Some(item) => {
                let failed = item.is_err();
                items.push(item);
                if failed {
                    return (items, true);
                }
            }
        }
    }
    (items, false)
}

/// A reader that counts the bytes taken from it.
pub(crate) struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.count += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32) -> String {
        format!(
            r#"{{"v":1,"event_id":"00000000-0000-0000-0000-{n:012}","dossier_id":"D{n}","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"P","unit":"U","channel":"online"}}"#
        )
    }

    /// Every block, in order, from a reader of `text`.
    fn blocks(text: &str) -> Vec<Block> {
        std::thread::scope(|scope| match read_ahead(scope, text.as_bytes()) {
            Ok(receiver) => receiver.iter().collect(),
            Err(e) => panic!("the reading thread did not start: {e}"),
        })
    }

    #[test]
    fn events_come_in_order_in_blocks_with_the_counts_after_each() {
        let total = BLOCK_EVENTS * 2 + 3;
        let text: String = (0..total as u32).map(|n| line(n) + "\n").collect();
        let got = blocks(&text);
        let sizes: Vec<usize> = got.iter().map(|b| b.items.len()).collect();
        assert_eq!(sizes, [BLOCK_EVENTS, BLOCK_EVENTS, 3]);
        let lines: Vec<u64> = got
            .iter()
            .flat_map(|b| b.items.iter().map(|i| i.as_ref().map(|(l, _)| *l).ok()))
            .map(|l| l.unwrap_or(0))
            .collect();
        assert_eq!(lines, (1..=total as u64).collect::<Vec<_>>());
        let first_block: usize = (0..BLOCK_EVENTS as u32).map(|n| line(n).len() + 1).sum();
        assert_eq!(got[0].bytes_read, first_block as u64);
        assert_eq!(got[0].lines_read, BLOCK_EVENTS as u64);
        let last = got.last().map(|b| (b.bytes_read, b.lines_read));
        assert_eq!(last, Some((text.len() as u64, total as u64)));
    }

    #[test]
    fn an_unreadable_line_is_the_last_item_and_nothing_after_it_is_read() {
        let text = format!("{}\n{{broken\n{}\n", line(1), line(2));
        let got = blocks(&text);
        assert_eq!(got.len(), 1);
        let items = &got[0].items;
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert_eq!(items[1].as_ref().err().map(|e| e.line), Some(2));
    }

    #[test]
    fn blank_lines_are_counted_and_an_empty_input_gives_one_empty_block() {
        let got = blocks(&format!("\n{}\n\n", line(5)));
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].items.len(), got[0].lines_read), (1, 3));
        let empty = blocks("");
        assert_eq!(empty.len(), 1);
        assert!(empty[0].items.is_empty());
    }

    #[test]
    fn the_reader_stops_when_the_import_does() {
        let text: String = (0..(BLOCK_EVENTS * (BLOCKS_AHEAD + 4)) as u32)
            .map(|n| line(n) + "\n")
            .collect();
        // Taking one block and dropping the receiver: the scope ends, so the thread did.
        let first = std::thread::scope(|scope| {
            let receiver = read_ahead(scope, text.as_bytes()).ok()?;
            receiver.recv().ok().map(|b| b.items.len())
        });
        assert_eq!(first, Some(BLOCK_EVENTS));
    }
}
