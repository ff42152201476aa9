//! `backhaul track parse` over the whole tracking corpus in
//! `carriers/tests/fixtures/tracking/`: every answer, read by the command from its file
//! and from standard input, prints the outcomes its file name says; garbage and error
//! answers exit 1 with one line naming the carrier.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("carriers/tests/fixtures/tracking")
}

fn parse(carrier: &str, file: Option<&Path>, stdin: &[u8]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_backhaul"));
    command
        .args(["track", "parse", "--carrier", carrier])
        .env_remove("BACKHAUL_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(file) = file {
        command.arg(file);
    }
    let mut child = command.spawn().expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("it ends")
}

/// The outcomes a fixture's file stem names: `delivered`, `exception_damaged`, several
/// joined by `+`, before any `.` note.
fn outcomes(stem: &str) -> Vec<(String, Option<String>)> {
    let outcome = stem.split('.').next().unwrap_or(stem);
    outcome
        .split('+')
        .map(|o| match o.strip_prefix("exception_") {
            Some(kind) => ("exception".to_string(), Some(kind.to_string())),
            None => (o.to_string(), None),
        })
        .collect()
}

fn printed(out: &Output, name: &str) -> Vec<(String, Option<String>)> {
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let parcels = match json {
        Value::Array(all) => all,
        one => vec![one],
    };
    parcels
        .iter()
        .map(|p| {
            for key in [
                "carrier",
                "tracking_number",
                "status",
                "events",
                "estimated_delivery",
            ] {
                assert!(p.get(key).is_some(), "{name}: {key}");
            }
            for e in p["events"].as_array().expect("events") {
                let at = e["at"].as_str().expect("at");
                assert!(!at.starts_with("1970"), "{name}: {at}");
                for key in ["raw_time", "raw_code", "description", "location", "status"] {
                    assert!(e.get(key).is_some(), "{name}: event {key}");
                }
            }
            (
                p["status"].as_str().expect("status").to_string(),
                p["exception"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[test]
fn every_corpus_answer_prints_its_named_outcomes() {
    let mut read = 0;
    let mut carriers: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    carriers.sort();
    for dir in carriers {
        let carrier = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
            .to_string();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("carrier directory")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        assert!(files.len() >= 12, "{carrier}: at least 12 answers");
        for file in files {
            let stem = file.file_stem().and_then(|s| s.to_str()).expect("stem");
            let name = format!("{carrier}/{stem}");
            let expected = outcomes(stem);
            let from_file = parse(&carrier, Some(&file), b"");
            assert_eq!(printed(&from_file, &name), expected, "{name}");
            let body = std::fs::read(&file).expect("fixture");
            let from_stdin = parse(&carrier, None, &body);
            assert_eq!(
                from_stdin.stdout, from_file.stdout,
                "{name}: stdin and file agree"
            );
            read += 1;
        }
    }
    assert!(read >= 7 * 12, "{read} answers");
}

#[test]
fn garbage_and_error_answers_exit_1_with_one_line() {
    let cases: [(&str, &[u8]); 6] = [
        ("ups", b""),
        ("fedex", b"<html><body><h1>503 Service Unavailable</h1></body></html>"),
        ("usps", b"{\"trackingNumber\": \"9400"),
        ("dhl", b"[]"),
        ("ups", br#"{"response":{"errors":[{"code":"250003","message":"Invalid Access License number"}]}}"#),
        ("fedex", br#"{"errors":[{"code":"NOT.AUTHORIZED.ERROR","message":"Access token expired. Please modify your request and try again."}]}"#),
    ];
    for (carrier, body) in cases {
        let out = parse(carrier, None, body);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{carrier}: {said}");
        assert!(out.stdout.is_empty(), "{carrier}: nothing on stdout");
        let lines: Vec<&str> = said.lines().filter(|l| l.starts_with(carrier)).collect();
        assert_eq!(
            lines.len(),
            1,
            "{carrier}: one line naming the carrier: {said}"
        );
    }
    let unknown = parse("pigeon", None, b"{}");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("ups, fedex"));
}

#[test]
fn a_not_found_answer_is_unknown_with_the_carriers_words() {
    let body = br#"{"response":{"errors":[{"code":"151044","message":"Tracking Information Not Found"}]}}"#;
    let out = Command::new(env!("CARGO_BIN_EXE_backhaul"))
        .args([
            "track",
            "parse",
            "--carrier",
            "ups",
            "--number",
            "1Z999AA10123456784",
        ])
        .env_remove("BACKHAUL_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().expect("stdin").write_all(body)?;
            child.wait_with_output()
        })
        .expect("runs");
    assert!(out.status.success());
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["status"], "unknown");
    assert_eq!(json["tracking_number"], "1Z999AA10123456784");
    assert_eq!(json["message"], "151044: Tracking Information Not Found");
}
