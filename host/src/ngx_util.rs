//! The pure functions of the ngx API: encodings, digests, and time formats, with nginx's
//! rules (`ngx_escape_uri`, `ngx_decode_base64`, `ngx_http_time`, ...). Digests and
//! base64 encoding come from the RustCrypto and base64 crates.

use base64::Engine as _;
use hmac::Mac as _;
use md5::Digest as _;

/// `ngx.encode_base64(s, no_padding)`.
pub fn encode_base64(s: &[u8], no_padding: bool) -> Vec<u8> {
    if no_padding {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(s)
            .into_bytes()
    } else {
        base64::engine::general_purpose::STANDARD
            .encode(s)
            .into_bytes()
    }
}

/// `ngx_decode_base64`: stops at the first `=`, refuses any other byte outside the
/// alphabet and a length of 1 mod 4; leftover bits are ignored.
pub fn decode_base64(s: &[u8]) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let end = s.iter().position(|&c| c == b'=').unwrap_or(s.len());
    let s = &s[..end];
    if s.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    for chunk in s.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    Some(out)
}

/// The bytes nginx's `ngx_escape_uri` escapes, one bitmap of 256 bits (eight words, bit
/// `c % 32` of word `c / 32`) per `ngx.escape_uri` type: 0 uri, 1 args, 2 uri component
/// (the default), 3 html, 4 refresh, 5 memcached, 6 mail auth. Read from nginx 1.22.1 by
/// escaping every byte with each type.
const ESCAPE_TABLES: [[u32; 8]; 7] = [
    [0xffffffff, 0x80000029, 0, 0x80000000, !0, !0, !0, !0],
    [0xffffffff, 0x80000829, 0, 0x80000000, !0, !0, !0, !0],
    [
        0xffffffff, 0xfc00987d, 0x78000001, 0xb8000001, !0, !0, !0, !0,
    ],
    [0xffffffff, 0x000000ad, 0, 0x80000000, !0, !0, !0, !0],
    [0xffffffff, 0x00000085, 0, 0x80000000, !0, !0, !0, !0],
    [0xffffffff, 0x00000021, 0, 0, 0, 0, 0, 0],
    [0xffffffff, 0x00000021, 0, 0, 0, 0, 0, 0],
];

/// The `ngx.escape_uri` type used when none is given (uri component).
pub const ESCAPE_URI_COMPONENT: usize = 2;

/// `ngx.escape_uri(s, kind)`: `%XX` (upper-case hex) for each byte the type's table
/// escapes; `kind` is below 7.
pub fn escape_uri(s: &[u8], kind: usize) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let table = &ESCAPE_TABLES[kind];
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if table[(c >> 5) as usize] & (1 << (c & 31)) == 0 {
            out.push(c);
        } else {
            out.extend_from_slice(&[b'%', HEX[(c >> 4) as usize], HEX[(c & 15) as usize]]);
        }
    }
    out
}

/// `ngx.quote_sql_str`: MySQL's escapes between single quotes.
pub fn quote_sql_str(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 2);
    out.push(b'\'');
    for &c in s {
        match c {
            0 => out.extend_from_slice(b"\\0"),
            8 => out.extend_from_slice(b"\\b"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            26 => out.extend_from_slice(b"\\Z"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\'' => out.extend_from_slice(b"\\'"),
            b'"' => out.extend_from_slice(b"\\\""),
            c => out.push(c),
        }
    }
    out.push(b'\'');
    out
}

pub fn md5_bin(s: &[u8]) -> Vec<u8> {
    md5::Md5::digest(s).to_vec()
}

pub fn md5_hex(s: &[u8]) -> Vec<u8> {
    hex(&md5_bin(s))
}

pub fn sha1_bin(s: &[u8]) -> Vec<u8> {
    sha1::Sha1::digest(s).to_vec()
}

pub fn hmac_sha1(key: &[u8], s: &[u8]) -> Vec<u8> {
    let mut mac =
        hmac::Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(s);
    mac.finalize().into_bytes().to_vec()
}

pub fn crc32(s: &[u8]) -> u32 {
    crc32fast::hash(s)
}

fn hex(b: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    b.iter()
        .flat_map(|&c| [HEX[(c >> 4) as usize], HEX[(c & 15) as usize]])
        .collect()
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Broken-down UTC time: (year, month 1-12, day, hour, minute, second, weekday 0=Sunday).
pub fn gmtime(t: i64) -> (i64, u32, u32, u32, u32, u32, usize) {
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    let wday = (days + 4).rem_euclid(7) as usize;
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
        wday,
    )
}

/// Days since the epoch of a civil date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `ngx.http_time`: `Thu, 18 Nov 2010 11:27:35 GMT`.
pub fn http_time(t: i64) -> String {
    let (y, m, d, hh, mm, ss, wd) = gmtime(t);
    format!(
        "{}, {d:02} {} {y:04} {hh:02}:{mm:02}:{ss:02} GMT",
        DAYS[wd],
        MONTHS[m as usize - 1]
    )
}

/// `ngx.cookie_time`: `Thu, 18-Nov-10 11:27:35 GMT` (a four-digit year from 2038 on,
/// as `ngx_http_cookie_time`).
pub fn cookie_time(t: i64) -> String {
    let (y, m, d, hh, mm, ss, wd) = gmtime(t);
    let year = if y < 2038 {
        format!("{:02}", y % 100)
    } else {
        format!("{y:04}")
    };
    format!(
        "{}, {d:02}-{}-{year} {hh:02}:{mm:02}:{ss:02} GMT",
        DAYS[wd],
        MONTHS[m as usize - 1]
    )
}

/// `yyyy-mm-dd hh:mm:ss` (`ngx.utctime`, and `ngx.localtime` with the machine in UTC).
pub fn iso_time(t: i64) -> String {
    let (y, m, d, hh, mm, ss, _) = gmtime(t);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// `ngx.today`: `yyyy-mm-dd`.
pub fn today(t: i64) -> String {
    let (y, m, d, ..) = gmtime(t);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `ngx_parse_http_time`: RFC 822 (`Thu, 18 Nov 2010 11:27:35 GMT`), RFC 850
/// (`Thursday, 18-Nov-10 11:27:35 GMT`) and asctime (`Thu Nov 18 11:27:35 2010`).
pub fn parse_http_time(s: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(s).ok()?.trim();
    let month = |m: &str| {
        MONTHS
            .iter()
            .position(|x| x.eq_ignore_ascii_case(m))
            .map(|i| i as u32 + 1)
    };
    let clock = |c: &str| -> Option<(u32, u32, u32)> {
        let mut it = c.split(':');
        let h = it.next()?.parse().ok()?;
        let mi = it.next()?.parse().ok()?;
        let se = it.next()?.parse().ok()?;
        (h < 24 && mi < 60 && se <= 60).then_some((h, mi, se))
    };
    let (y, m, d, (hh, mm, ss)) = if let Some((_, rest)) = s.split_once(", ") {
        let parts: Vec<&str> = rest.split_whitespace().collect();
        if parts.len() == 3 && parts[0].contains('-') {
            let dm: Vec<&str> = parts[0].split('-').collect();
            if dm.len() != 3 {
                return None;
            }
            let yy: i64 = dm[2].parse().ok()?;
            let y = if dm[2].len() == 2 {
                yy + if yy < 70 { 2000 } else { 1900 }
            } else {
                yy
            };
            (y, month(dm[1])?, dm[0].parse().ok()?, clock(parts[1])?)
        } else if parts.len() == 5 {
            (
                parts[2].parse().ok()?,
                month(parts[1])?,
                parts[0].parse().ok()?,
                clock(parts[3])?,
            )
        } else {
            return None;
        }
    } else {
        let parts: Vec<&str> = s.split_whitespace().collect();
        if parts.len() != 5 {
            return None;
        }
        (
            parts[4].parse().ok()?,
            month(parts[1])?,
            parts[2].parse().ok()?,
            clock(parts[3])?,
        )
    };
    if !(1970..=9999).contains(&y) || d == 0 || d > 31 {
        return None;
    }
    Some(
        days_from_civil(y, m, d) * 86_400
            + i64::from(hh) * 3600
            + i64::from(mm) * 60
            + i64::from(ss),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(http_time(1290079655), "Thu, 18 Nov 2010 11:27:35 GMT");
        assert_eq!(cookie_time(1290079655), "Thu, 18-Nov-10 11:27:35 GMT");
        assert_eq!(
            parse_http_time(b"Thu, 18 Nov 2010 11:27:35 GMT"),
            Some(1290079655)
        );
        assert_eq!(iso_time(0), "1970-01-01 00:00:00");
    }

    #[test]
    fn base64_as_nginx() {
        assert_eq!(decode_base64(b"YQ=="), Some(b"a".to_vec()));
        assert_eq!(decode_base64(b"YQ"), Some(b"a".to_vec()));
        assert_eq!(decode_base64(b"Y"), None);
        assert_eq!(decode_base64(b"Y!=="), None);
        assert_eq!(encode_base64(b"ab", true), b"YWI".to_vec());
    }
}
