//! The line framer (PROTOCOL.md §1): chunking, limits, CR, UTF-8, memory.

use mchat_core::fuzzing::frame_in_chunks;
use mchat_core::wire::{FrameError, LineFramer, limits::MAX_LINE_BYTES};

fn lines(stream: &[u8]) -> Vec<Result<String, FrameError>> {
    frame_in_chunks(stream, &[stream.len().max(1)])
}

#[test]
fn complete_lines_come_out_in_order_without_newline() {
    assert_eq!(
        lines(b"JOIN a\nHEART\n"),
        vec![Ok("JOIN a".into()), Ok("HEART".into())]
    );
}

#[test]
fn an_unfinished_line_waits_for_its_newline() {
    let mut framer = LineFramer::new();
    assert_eq!(framer.frames(b"JOIN lo").count(), 0);
    assert_eq!(framer.pending_len(), 7);
    let got: Vec<_> = framer
        .frames(b"bby\n")
        .map(|f| f.unwrap().into_string())
        .collect();
    assert_eq!(got, ["JOIN lobby"]);
    assert!(framer.is_idle());
}

#[test]
fn one_carriage_return_before_newline_is_stripped() {
    assert_eq!(lines(b"HEART\r\n"), vec![Ok("HEART".into())]);
    assert_eq!(lines(b"HEART\r\r\n"), vec![Ok("HEART\r".into())]);
    assert_eq!(lines(b"A\rB\n"), vec![Ok("A\rB".into())]);
}

#[test]
fn carriage_return_split_from_its_newline_is_still_stripped() {
    assert_eq!(
        frame_in_chunks(b"HEART\r\n", &[6, 1]),
        vec![Ok("HEART".into())]
    );
}

#[test]
fn empty_lines_are_lines() {
    assert_eq!(lines(b"\n\r\n"), vec![Ok(String::new()), Ok(String::new())]);
}

#[test]
fn line_of_1024_characters_with_newline_is_accepted() {
    let mut stream = vec![b'x'; 1023];
    stream.push(b'\n');
    assert_eq!(lines(&stream), vec![Ok("x".repeat(1023))]);
}

#[test]
fn line_of_1025_characters_is_too_long_and_reported_once() {
    let mut stream = vec![b'x'; 1024];
    stream.extend_from_slice(b"\nHEART\n");
    assert_eq!(
        lines(&stream),
        vec![Err(FrameError::TooLong), Ok("HEART".into())]
    );
}

#[test]
fn multibyte_line_is_measured_in_characters_not_bytes() {
    let ok = format!("{}\n", "🌞".repeat(1023)); // 4092 bytes
    assert_eq!(lines(ok.as_bytes()), vec![Ok("🌞".repeat(1023))]);
    let long = format!("{}\n", "🌞".repeat(1024));
    assert_eq!(lines(long.as_bytes()), vec![Err(FrameError::TooLong)]);
}

#[test]
fn too_long_line_is_dropped_through_its_newline_whatever_the_chunking() {
    let mut stream = b"HEART\n".to_vec();
    stream.extend(std::iter::repeat_n(b'y', 10_000));
    stream.extend_from_slice(b"\nBLEED\n");
    let expected = vec![
        Ok("HEART".into()),
        Err(FrameError::TooLong),
        Ok("BLEED".into()),
    ];
    for sizes in [&[1][..], &[7], &[1000], &[4096], &[65536], &[3, 5000, 2]] {
        assert_eq!(
            frame_in_chunks(&stream, sizes),
            expected,
            "chunks {sizes:?}"
        );
    }
}

#[test]
fn too_long_is_reported_before_the_newline_arrives() {
    let mut framer = LineFramer::new();
    let flood = vec![b'z'; 1500];
    let got: Vec<_> = framer.frames(&flood).collect();
    assert_eq!(got, vec![Err(FrameError::TooLong)]);
    // More of the same line is silently skipped.
    assert_eq!(framer.frames(&flood).count(), 0);
    assert_eq!(framer.pending_len(), 0);
}

#[test]
fn ten_megabytes_without_newline_never_buffer_more_than_one_line() {
    let mut framer = LineFramer::new();
    let chunk = vec![b'a'; 3000];
    let mut reports = 0;
    for _ in 0..(10 * 1024 * 1024 / chunk.len()) {
        reports += framer.frames(&chunk).count();
        assert!(framer.pending_len() <= MAX_LINE_BYTES);
    }
    assert_eq!(reports, 1);
}

#[test]
fn continuation_bytes_without_newline_are_bounded_too() {
    // 0x80 continues a character, so it adds no characters; bytes still count.
    let mut framer = LineFramer::new();
    let junk = vec![0x80u8; 1000];
    let mut reports = 0;
    for _ in 0..100 {
        reports += framer.frames(&junk).count();
        assert!(framer.pending_len() <= MAX_LINE_BYTES);
    }
    assert_eq!(reports, 1);
}

#[test]
fn invalid_utf8_line_is_reported_and_the_next_line_survives() {
    assert_eq!(
        lines(b"JOIN \xff\nHEART\n"),
        vec![Err(FrameError::BadUtf8), Ok("HEART".into())]
    );
}

#[test]
fn character_split_across_reads_is_joined() {
    let stream = "NICK päivä\n".as_bytes();
    for cut in 1..stream.len() {
        assert_eq!(
            frame_in_chunks(stream, &[cut]),
            vec![Ok("NICK päivä".into())],
            "cut {cut}"
        );
    }
}

#[test]
fn codes_of_frame_errors() {
    use mchat_core::wire::ErrorCode;
    assert_eq!(FrameError::TooLong.code(), ErrorCode::TooLong);
    assert_eq!(FrameError::BadUtf8.code(), ErrorCode::BadUtf8);
}

#[test]
fn framed_line_goes_out_with_a_bare_newline() {
    let mut framer = LineFramer::new();
    let line = framer.frames(b"MSG a b hi\r\n").next().unwrap().unwrap();
    assert_eq!(&line.to_bytes()[..], b"MSG a b hi\n");
}
