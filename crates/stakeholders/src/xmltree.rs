//! A small XML element tree with text and line numbers, read with quick-xml (comments,
//! declarations and a byte-order mark are skipped).

use std::path::Path;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::Error;

/// One element: its tag, its text (concatenated, unescaped, trimmed), children and start line.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Text content directly inside the element, trimmed.
    pub text: String,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// Children with this tag, in order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this tag.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn line_at(text: &[u8], offset: usize) -> usize {
    1 + text[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count()
}

/// Parses a document and returns its root element.
pub fn parse(file: &Path, text: &str) -> Result<Element, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let at = reader.error_position() as usize;
            Error::syntax(file, Some(line_at(bytes, at)), e.to_string())
        })?;
        let line_of = |pos: usize| {
            // The event starts at the first non-blank byte after `before`.
            let mut p = pos;
            while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                p += 1;
            }
            line_at(bytes, p)
        };
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(Error::syntax(file, Some(line_of(before)), "content after the root element"));
            }
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                stack.push(Element { name, text: String::new(), children: Vec::new(), line: line_of(before) });
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                let el = Element { name, text: String::new(), children: Vec::new(), line: line_of(before) };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(Error::syntax(file, Some(line_of(before)), "an end tag without a start tag"));
                };
                el.text = el.text.trim().to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    let s = t.unescape().map_err(|e| Error::syntax(file, Some(line_of(before)), e.to_string()))?;
                    el.text.push_str(&s);
                } else if !t.iter().all(|b| b.is_ascii_whitespace()) {
                    return Err(Error::syntax(file, Some(line_of(before)), "text outside the root element"));
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Error::syntax(file, Some(open.line), format!("element <{}> is never closed", open.name)));
    }
    root.ok_or_else(|| Error::syntax(file, None, "no root element"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_with_text_lines_and_comments() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<a>\n  <!-- note -->\n  <b> 1.5 </b> <!-- why -->\n  <c/>\n</a>\n";
        let root = parse(Path::new("t.xml"), doc).unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.line, 2);
        let b = root.child("b").unwrap();
        assert_eq!((b.text.as_str(), b.line), ("1.5", 4));
        assert_eq!(root.child("c").unwrap().line, 5);
        let err = parse(Path::new("t.xml"), "<a>\n<b>\n</a>").unwrap_err();
        assert!(err.to_string().starts_with("t.xml:"), "{err}");
    }
}
