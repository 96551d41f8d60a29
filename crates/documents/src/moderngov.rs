//! ModernGov's web-service XML read into the domain's plain [`Element`] trees (the
//! rules for what they hold are `assure_domain::moderngov`'s). Element names are
//! lower-cased and namespaces dropped (a SOAP-wrapped answer is unwrapped to the
//! result inside it); each element keeps the line it starts on, so the import report
//! can point at it.

use assure_domain::moderngov::{Element, Place, Problem, Source};
use quick_xml::events::Event;
use quick_xml::Reader;

/// The largest file read (a busy committee's year of meeting details is a few MB).
pub const MAX_BYTES: usize = 50 * 1024 * 1024;

/// One file's bytes as a [`Source`], or the problem that stops it being read.
pub fn read_source(file: &str, bytes: &[u8]) -> Result<Source, Problem> {
    let problem = |line: u32, message: String| Problem::new(&Place { file: file.to_string(), line }, "", message);
    if bytes.is_empty() {
        return Err(problem(0, "the file is empty".into()));
    }
    if bytes.len() > MAX_BYTES {
        return Err(problem(0, format!("the file is larger than {} MB: split it (one committee or year per file)", MAX_BYTES / 1024 / 1024)));
    }
    let mut reader = Reader::from_reader(bytes);
    // The line an offset is on, counted as the reader moves forward.
    let (mut counted_to, mut line) = (0usize, 1u32);
    let mut line_at = |pos: usize| {
        let pos = pos.min(bytes.len());
        if pos > counted_to {
            line += bytes[counted_to..pos].iter().filter(|b| **b == b'\n').count() as u32;
            counted_to = pos;
        }
        line
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let at = line_at(reader.error_position() as usize);
                return Err(problem(at, format!("the file is not well-formed XML ({e}): export it from ModernGov again")));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                let at = line_at(before);
                return Err(problem(at, "the file has more than one top-level element".into()));
            }
            Event::Start(e) => {
                let at = line_at(before);
                stack.push(Element { name: e.local_name().as_ref().to_ascii_lowercase(), line: at, ..Element::default() });
            }
            Event::Empty(e) => {
                let at = line_at(before);
                let el = Element { name: e.local_name().as_ref().to_ascii_lowercase(), line: at, ..Element::default() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else { continue };
                el.text = el.text.trim().to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => s.to_string(),
                        None => {
                            let at = line_at(before);
                            return Err(problem(at, format!("the file uses an entity XML does not define (&{};)", &*r)));
                        }
                    },
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(problem(line_at(bytes.len()), "the file ends before its elements are closed: it may have been cut short".into()));
    }
    let mut root = root.ok_or_else(|| problem(0, "the file has no XML elements".into()))?;
    // A SOAP answer: Envelope > Body > GetMeetingResponse > GetMeetingResult > meeting.
    while matches!(root.name.as_str(), "envelope" | "body") || root.name.ends_with("response") || root.name.ends_with("result") {
        match root.children.len() {
            1 => root = root.children.remove(0),
            _ => break,
        }
    }
    Ok(Source { file: file.to_string(), root })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_their_lines_and_decoded_text() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<meeting>\n  <meetingid>17355</meetingid>\n  <agendaitems>\n    <agendaitem>\n      <agendaitemtitle>Budget &amp; Council Tax</agendaitemtitle>\n      <minutesnonemptyhtmlbody>&lt;p&gt;RESOLVED: That the budget be approved.&lt;/p&gt;</minutesnonemptyhtmlbody>\n    </agendaitem>\n  </agendaitems>\n</meeting>\n";
        let s = read_source("m.xml", xml.as_bytes()).expect("reads");
        assert_eq!((s.root.name.as_str(), s.root.line), ("meeting", 2));
        let item = &s.root.child("agendaitems").unwrap().children[0];
        assert_eq!(item.line, 5);
        assert_eq!(item.child("agendaitemtitle").unwrap().text, "Budget & Council Tax");
        assert_eq!(item.child("minutesnonemptyhtmlbody").unwrap().text, "<p>RESOLVED: That the budget be approved.</p>");
    }

    #[test]
    fn a_soap_answer_is_unwrapped_and_names_lose_their_case_and_namespace() {
        let xml = r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetCommitteesResponse><GetCommitteesResult><committees><committee><committeeid>1</committeeid><CommitteeTitle>Cabinet</CommitteeTitle></committee></committees></GetCommitteesResult></GetCommitteesResponse></soap:Body></soap:Envelope>"#;
        let s = read_source("c.xml", xml.as_bytes()).expect("reads");
        assert_eq!(s.root.name, "committees");
        assert_eq!(s.root.children[0].child("committeetitle").unwrap().text, "Cabinet");
    }

    #[test]
    fn broken_files_say_where_and_why() {
        let e = read_source("cut.xml", b"<meetings>\n<meeting>\n<meetingid>1</meetingid>").unwrap_err();
        assert!(e.message.starts_with("cut.xml, line 3: the file ends before its elements are closed"), "{}", e.message);
        let e = read_source("bad.xml", b"<meetings>\n<meeting></meetings>").unwrap_err();
        assert!(e.message.starts_with("bad.xml, line 2: the file is not well-formed XML"), "{}", e.message);
        let e = read_source("empty.xml", b"").unwrap_err();
        assert_eq!(e.message, "empty.xml: the file is empty");
        let e = read_source("html.xml", b"<p>&nbsp;</p>").unwrap_err();
        assert!(e.message.contains("entity XML does not define (&nbsp;)"), "{}", e.message);
    }
}
