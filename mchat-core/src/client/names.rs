//! Questions of who is in a room: `NAMES`, answered by `MEMBERS` lines and
//! `MEMBERS_END` (PROTOCOL.md §3).
//!
//! An original server drops `NAMES` without a word, so each question is
//! followed by a `HEART`: a server answers lines in order, so its `BLEED`
//! for that `HEART` arriving first means the question will get no answer.
//!
//! A server of ours holds the answer to a `NAMES` asked as its room is
//! gained until its peers' lists are in, so a question asked right after
//! `JOIN` sees the members on other servers too.

use crate::wire::Room;

/// Who asked a question, which decides what its answer shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Asker {
    /// The user's `names`: the list is shown.
    User,
    /// The client itself, after joining a private room: only an empty
    /// room (the user alone) is told.
    AloneCheck,
}

/// A `NAMES` sent and not yet answered.
#[derive(Clone, Debug)]
struct Question {
    room: Room,
    asker: Asker,
    /// The count of `HEART`s sent when this question's own fence went:
    /// once as many `BLEED`s are back, the answer is overdue.
    fence: u64,
}

/// Most nicks of unfinished `MEMBERS` lists kept at once: a server that
/// never ends its list must not fill our memory.
const MAX_GATHERED_NICKS: usize = 100_000;

/// The questions of one connection and the lists coming in.
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    questions: Vec<Question>,
    /// `MEMBERS` lines gathered until their room's `MEMBERS_END`.
    gathering: Vec<(Room, Vec<String>)>,
    hearts_sent: u64,
    bleeds_seen: u64,
}

/// A finished list: who is in the room, and who asked (`None`: a list
/// nobody here asked for, shown as the user's).
pub(super) struct Answer {
    pub(super) asker: Option<Asker>,
    pub(super) nicks: Vec<String>,
}

impl Names {
    /// A `HEART` went to the server (the keep-alive's or a fence).
    pub(super) fn heart_sent(&mut self) {
        self.hearts_sent += 1;
    }

    /// A `NAMES` for `room` goes out now, and right after it a `HEART`
    /// (the caller sends both; this counts the `HEART`).
    pub(super) fn ask(&mut self, room: Room, asker: Asker) {
        self.heart_sent();
        self.questions.push(Question {
            room,
            asker,
            fence: self.hearts_sent,
        });
    }

    /// A `MEMBERS` line.
    pub(super) fn members(&mut self, room: Room, nicks: impl Iterator<Item = String>) {
        let held: usize = self.gathering.iter().map(|(_, n)| n.len()).sum();
        let nicks = nicks.take(MAX_GATHERED_NICKS.saturating_sub(held));
        match self.gathering.iter_mut().find(|(r, _)| *r == room) {
            Some((_, gathered)) => gathered.extend(nicks),
            None => self.gathering.push((room, nicks.collect())),
        }
    }

    /// `MEMBERS_END`: the list of `room`, answering its oldest question.
    pub(super) fn end(&mut self, room: &Room) -> Answer {
        let at = self.gathering.iter().position(|(r, _)| r == room);
        let nicks = at.map(|at| self.gathering.swap_remove(at).1);
        let asked = self.questions.iter().position(|q| q.room == *room);
        let asker = asked.map(|at| self.questions.remove(at).asker);
        Answer {
            asker,
            nicks: nicks.unwrap_or_default(),
        }
    }

    /// A `BLEED`: returns the questions it shows will not be answered,
    /// oldest first.
    pub(super) fn bleed(&mut self) -> Vec<(Room, Asker)> {
        self.bleeds_seen += 1;
        let seen = self.bleeds_seen;
        let (overdue, waiting) = std::mem::take(&mut self.questions)
            .into_iter()
            .partition(|q| q.fence <= seen);
        self.questions = waiting;
        overdue
            .into_iter()
            .map(|q: Question| (q.room, q.asker))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> Room {
        Room::new(name).unwrap()
    }

    #[test]
    fn a_bleed_for_an_earlier_heart_leaves_the_question_open() {
        let mut names = Names::default();
        names.heart_sent();
        names.ask(room("lobby"), Asker::User);
        assert!(names.bleed().is_empty(), "the keep-alive's HEART");
        assert_eq!(names.bleed(), [(room("lobby"), Asker::User)]);
        assert!(names.bleed().is_empty(), "told once");
    }

    #[test]
    fn an_answer_closes_the_oldest_question_of_its_room() {
        let mut names = Names::default();
        names.ask(room("a"), Asker::AloneCheck);
        names.ask(room("a"), Asker::User);
        names.members(room("a"), ["x".to_owned(), "y".to_owned()].into_iter());
        let first = names.end(&room("a"));
        assert_eq!(first.asker, Some(Asker::AloneCheck));
        assert_eq!(first.nicks, ["x", "y"]);
        let second = names.end(&room("a"));
        assert_eq!(second.asker, Some(Asker::User));
        assert!(second.nicks.is_empty());
        assert_eq!(names.end(&room("a")).asker, None, "nobody asked");
        assert!(names.bleed().is_empty() && names.bleed().is_empty());
    }

    #[test]
    fn an_endless_list_is_capped() {
        let mut names = Names::default();
        for _ in 0..3 {
            names.members(room("a"), (0..MAX_GATHERED_NICKS).map(|i| i.to_string()));
        }
        assert_eq!(names.end(&room("a")).nicks.len(), MAX_GATHERED_NICKS);
    }
}
