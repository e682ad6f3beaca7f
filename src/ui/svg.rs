//! A rendered screen as an SVG picture, for the README's screenshots: the real app's buffer
//! (what `draw` produced), one text run per style, on a dark terminal background.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

const CELL_W: f32 = 8.4;
const CELL_H: f32 = 17.0;
const BACKGROUND: &str = "#1c1f26";
const FOREGROUND: &str = "#c8ccd4";

fn hex(c: Color) -> Option<String> {
    let rgb = match c {
        Color::Reset => return None,
        Color::Black => (0x1c, 0x1f, 0x26),
        Color::Red | Color::LightRed => (0xe0, 0x6c, 0x75),
        Color::Green | Color::LightGreen => (0x98, 0xc3, 0x79),
        Color::Yellow | Color::LightYellow => (0xe5, 0xc0, 0x7b),
        Color::Blue | Color::LightBlue => (0x61, 0xaf, 0xef),
        Color::Magenta | Color::LightMagenta => (0xc6, 0x78, 0xdd),
        Color::Cyan | Color::LightCyan => (0x56, 0xb6, 0xc2),
        Color::Gray => (0xab, 0xb2, 0xbf),
        Color::DarkGray => (0x6b, 0x72, 0x80),
        Color::White => (0xff, 0xff, 0xff),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => (i, i, i),
    };
    Some(format!("#{:02x}{:02x}{:02x}", rgb.0, rgb.1, rgb.2))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The buffer as an SVG document.
pub fn render(buf: &Buffer) -> String {
    let (w, h) = (buf.area.width, buf.area.height);
    let (pw, ph) = (f32::from(w) * CELL_W + 16.0, f32::from(h) * CELL_H + 16.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pw:.0}\" height=\"{ph:.0}\" viewBox=\"0 0 {pw:.0} {ph:.0}\" \
font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"14\">\n\
<rect width=\"100%\" height=\"100%\" rx=\"6\" fill=\"{BACKGROUND}\"/>\n"
    );
    for y in 0..h {
        let mut x = 0;
        while x < w {
            let cell = &buf[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let mut text = String::new();
            let start = x;
            while x < w {
                let c = &buf[(x, y)];
                if (c.fg, c.bg, c.modifier) != style {
                    break;
                }
                text.push_str(c.symbol());
                x += 1;
            }
            let reversed = style.2.contains(Modifier::REVERSED);
            let (fg, bg) = if reversed { (style.1, style.0) } else { (style.0, style.1) };
            let (px, py) = (8.0 + f32::from(start) * CELL_W, 8.0 + f32::from(y) * CELL_H);
            let width = f32::from(x - start) * CELL_W;
            if let Some(bg) = hex(bg).or_else(|| reversed.then(|| FOREGROUND.to_string())) {
                let _ = writeln!(
                    out,
                    "<rect x=\"{px:.1}\" y=\"{py:.1}\" width=\"{width:.1}\" height=\"{CELL_H}\" fill=\"{bg}\"/>"
                );
            }
            if text.trim().is_empty() {
                continue;
            }
            let fill = hex(fg).unwrap_or_else(|| if reversed { BACKGROUND.into() } else { FOREGROUND.into() });
            let bold = if style.2.contains(Modifier::BOLD) { " font-weight=\"bold\"" } else { "" };
            let under = if style.2.contains(Modifier::UNDERLINED) { " text-decoration=\"underline\"" } else { "" };
            let _ = writeln!(
                out,
                "<text x=\"{px:.1}\" y=\"{:.1}\" fill=\"{fill}\"{bold}{under} xml:space=\"preserve\" textLength=\"{width:.1}\" lengthAdjust=\"spacingAndGlyphs\">{}</text>",
                py + CELL_H - 4.0,
                escape(&text)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn runs_of_one_style_become_one_text_element() {
        let mut b = Buffer::empty(Rect::new(0, 0, 10, 1));
        b.set_string(0, 0, "ab<c", Style::default().fg(Color::Green));
        b.set_string(5, 0, "xy", Style::default().add_modifier(Modifier::REVERSED));
        let svg = render(&b);
        assert!(svg.contains(">ab&lt;c</text>") && svg.contains("fill=\"#98c379\""), "{svg}");
        assert!(svg.contains(">xy</text>") && svg.contains(&format!("fill=\"{FOREGROUND}\"/>")), "{svg}");
        assert_eq!(svg.matches("<text").count(), 2);
    }
}
