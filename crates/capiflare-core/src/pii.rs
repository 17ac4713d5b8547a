//! Customer information (Meta's `user_data`): normalization and SHA-256 hashing.
//!
//! The rules are those of Meta's own normalizer, `capi-param-builder` (CPB), value for value, so
//! that a value normalized here and one normalized by Meta's libraries hash alike. Three rules
//! of Meta's customer-information documentation that CPB does not apply are applied on top, and
//! only these (each is listed with its quoted sentence in `tests/vectors/departures.json`):
//!
//! 1. a zip code loses its inner spaces (`SW1A 1AA` becomes `sw1a1aa`);
//! 2. a US zip code keeps its first 5 digits (country `us`, or a bare 9-digit ZIP+4);
//! 3. a national phone number gets its country calling code when the country is known.
//!
//! Whitespace means what JavaScript's `\s` and `trim` mean, as in CPB. A value that is already a
//! SHA-256 hex digest is never hashed again.

use alloc::borrow::ToOwned;
use alloc::string::String;

use crate::text;

/// A hashed customer-information key of Meta's user_data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Email address.
    Em,
    /// Phone number, digits only, with the country calling code.
    Ph,
    /// First name.
    Fn,
    /// Last name.
    Ln,
    /// Gender, `f` or `m`.
    Ge,
    /// Date of birth, `YYYYMMDD`.
    Db,
    /// City.
    Ct,
    /// State or province, two letters.
    St,
    /// Zip or postal code.
    Zp,
    /// Country, ISO 3166-1 alpha-2.
    Country,
    /// The advertiser's own identifier of the person.
    ExternalId,
}

impl Key {
    /// Every key, in the order of Meta's documentation.
    pub const ALL: [Self; 11] = [
        Self::Em,
        Self::Ph,
        Self::Fn,
        Self::Ln,
        Self::Ge,
        Self::Db,
        Self::Ct,
        Self::St,
        Self::Zp,
        Self::Country,
        Self::ExternalId,
    ];

    /// The key's name in Meta's `user_data`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Em => "em",
            Self::Ph => "ph",
            Self::Fn => "fn",
            Self::Ln => "ln",
            Self::Ge => "ge",
            Self::Db => "db",
            Self::Ct => "ct",
            Self::St => "st",
            Self::Zp => "zp",
            Self::Country => "country",
            Self::ExternalId => "external_id",
        }
    }

    /// The key named `s` in Meta's `user_data` (the inverse of [`Key::as_str`]).
    pub fn from_key(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Unicode's lowercasing (the full case mapping with the final-sigma rule, as
/// `str::to_lowercase` and JavaScript's `toLowerCase` apply it), supplied by the platform: the
/// worker passes `str::to_lowercase`, the browser module JavaScript's own, so the download carries
/// no case tables. Meta's own normalizer, CPB, lowercases with JavaScript's.
pub type Lower = fn(&str) -> String;

/// What normalization may know besides the value itself. `current_year` is a parameter because
/// the core reads no clock, and `lower` because the platform already has Unicode's case tables.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The person's country, ISO 3166-1 alpha-2 in lowercase, already normalized.
    pub country: Option<&'a str>,
    /// The current year; a date of birth may lie from 1800 up to the year after it.
    pub current_year: u16,
    /// Lowercasing.
    pub lower: Lower,
}

/// The normalized form of `raw` for `key`, or `None` when nothing may be sent for this value.
///
/// A value that is exactly 64 hex digits is taken as already hashed and returned unchanged.
pub fn normalize(key: Key, raw: &str, ctx: &Context<'_>) -> Option<String> {
    if is_sha256_hex(raw) {
        return Some(raw.to_owned());
    }
    let value = match key {
        Key::Em => email(raw, ctx.lower),
        Key::Ph => phone(raw, ctx.country),
        Key::Fn | Key::Ln => Some(lower_without_spaces(raw, true, ctx.lower)),
        Key::Ge => gender(raw, ctx.lower),
        Key::Db => date_of_birth(raw, ctx.current_year),
        Key::Ct => city(raw),
        Key::St => code(raw, STATES, ctx.lower),
        Key::Country => code(raw, COUNTRIES, ctx.lower),
        Key::Zp => zip(raw, ctx),
        Key::ExternalId => Some(lower_without_spaces(raw, false, ctx.lower)),
    }?;
    (!value.is_empty()).then_some(value)
}

/// Lowercase hex of the SHA-256 of `s`'s UTF-8 bytes.
pub fn sha256_hex(s: &str) -> String {
    crate::sha256::hex(s.as_bytes())
}

/// Whether `s` is exactly 64 hex digits (either case): a SHA-256 digest.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The value Meta receives: an already-hashed value (trimmed, 64 hex, any case) passes through
/// lowercased; otherwise normalize then hash; a value that normalizes to nothing gives None (never
/// hash an empty string).
pub fn hash(key: Key, raw: &str, ctx: &Context<'_>) -> Option<String> {
    let trimmed = js_trim(raw);
    if is_sha256_hex(trimmed) {
        return Some(trimmed.to_ascii_lowercase());
    }
    normalize(key, raw, ctx).map(|value| sha256_hex(&value))
}

/// JavaScript's whitespace (`\s`, `trim`): Unicode White_Space less U+0085, plus U+FEFF.
fn is_js_space(c: char) -> bool {
    c == '\u{feff}' || (c.is_whitespace() && c != '\u{85}')
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `raw` without whitespace (and ASCII punctuation when `punctuation`), lowercased.
fn lower_without_spaces(raw: &str, punctuation: bool, lower: Lower) -> String {
    let mut kept = String::new();
    for c in raw.chars() {
        if !(is_js_space(c) || (punctuation && c.is_ascii_punctuation())) {
            kept.push(c);
        }
    }
    lower(&kept)
}

/// Lowercase and trim; then the address must match the RFC 2822 approximation CPB uses:
/// `atom+ (":"? "." atom+)* "@" (label ".")+ label`, where a label is ASCII letters, digits and
/// inner hyphens.
fn email(raw: &str, lower: Lower) -> Option<String> {
    let lowered = lower(raw);
    let value = js_trim(&lowered);
    let (local, domain) = text::split_once_at(value, b'@')?;
    let atom = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'_' | b'!'
                    | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'/'
                    | b'='
                    | b'?'
                    | b'^'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
                    | b'-'
            )
    };
    let local = local.as_bytes();
    // Each character is an atom, or a `.` followed by one, or a `:` followed by a `.`; the first
    // and the last are atoms.
    let mut ok = local.last().is_some_and(|&b| atom(b));
    let mut prev = b'.';
    for &b in local {
        ok &= match prev {
            b'.' => atom(b),
            b':' => b == b'.',
            _ => atom(prev),
        };
        prev = b;
    }
    // Labels: ASCII letters, digits and inner hyphens, at least two of them.
    let mut labels = 0;
    for label in text::split(domain, b'.') {
        let b = label.as_bytes();
        let edge = |c: Option<&u8>| c.is_some_and(u8::is_ascii_alphanumeric);
        ok &= edge(b.first())
            && edge(b.last())
            && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-');
        labels += 1;
    }
    (ok && labels > 1).then(|| value.to_owned())
}

/// Every ASCII digit, without leading zeros. Departure 3: with a known country and a number not
/// written internationally (`+`, `00`), the country calling code goes in front unless the digits
/// already start with it and are long enough (11 or more) to include it.
fn phone(raw: &str, country: Option<&str>) -> Option<String> {
    let mut digits = String::new();
    for b in raw.bytes() {
        if b.is_ascii_digit() && !(b == b'0' && digits.is_empty()) {
            digits.push(char::from(b));
        }
    }
    if digits.is_empty() {
        return None;
    }
    let written = js_trim(raw);
    let code = country
        .filter(|_| !written.starts_with('+') && !written.starts_with("00"))
        .and_then(calling_code)
        .filter(|&code| !(digits.starts_with(code) && digits.len() >= 11));
    Some(match code {
        Some(code) => text::cat(&[code, &digits]),
        None => digits,
    })
}

fn calling_code(country: &str) -> Option<&'static str> {
    for (code, countries) in pairs(CALLING_CODES) {
        if text::split(countries, b',').any(|c| c == country) {
            return Some(code);
        }
    }
    None
}

fn gender(raw: &str, lower: Lower) -> Option<String> {
    let lowered = lower(raw);
    let word = js_trim(&lowered);
    let g = if text::in_table(MALE, word) {
        "m"
    } else if text::in_table(FEMALE, word) {
        "f"
    } else {
        return None;
    };
    Some(g.to_owned())
}

/// The first three runs of ASCII digits: a number above 31 is the year (first or second),
/// otherwise the third is; month before day unless the first of them is above 12. A lone run
/// of 8 digits is taken as `YYYYMMDD` as it is.
fn date_of_birth(raw: &str, current_year: u16) -> Option<String> {
    // Up to three runs: their values, and the text of the first. A value stops growing at
    // 1,000,000, above any bound it is compared with (the latest year is at most 65,536), so
    // the arithmetic stays in 32 bits without overflow checks.
    let mut n = [0u32; 3];
    let mut runs = 0;
    let (mut first_start, mut first_len) = (0, 0);
    let mut in_run = false;
    for (i, b) in raw.bytes().enumerate() {
        if b.is_ascii_digit() {
            if !in_run {
                if runs == 3 {
                    break;
                }
                runs += 1;
                if runs == 1 {
                    first_start = i;
                }
            }
            if runs == 1 {
                first_len += 1;
            }
            if let Some(v) = n.get_mut(runs - 1) {
                *v = (*v * 10 + u32::from(b - b'0')).min(1_000_000);
            }
        }
        in_run = b.is_ascii_digit();
    }
    if runs == 1 {
        return (first_len == 8)
            .then(|| raw.get(first_start..first_start + 8).map(str::to_owned))
            .flatten();
    }
    let [a, b, c] = n;
    if runs < 3 {
        return None;
    }
    let month_day = |x: u32, y: u32| if x > 12 { (y, x) } else { (x, y) };
    let (year, (month, day)) = if a > 31 {
        (a, month_day(b, c))
    } else if b > 31 {
        (b, month_day(c, a))
    } else {
        (c, month_day(a, b))
    };
    let valid = (1800..=u32::from(current_year) + 1).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day);
    valid.then(|| {
        // `YYYYMMDD` is the decimal of this number: the year has at least four digits.
        let mut out = String::new();
        text::push_decimal(&mut out, u64::from(year * 10_000 + month * 100 + day));
        out
    })
}

/// ASCII letters and digits only, lowercased; it must start with a letter.
fn city(raw: &str) -> Option<String> {
    let mut value = String::new();
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() {
            value.push(char::from(b.to_ascii_lowercase()));
        }
    }
    value
        .starts_with(|c: char| c.is_ascii_lowercase())
        .then_some(value)
}

/// State and country: the ASCII letters of the lowercased value; two letters are a code; a
/// known name, or else the first known name it contains (table order), gives its code; anything
/// else is cut to its first two letters.
fn code(raw: &str, table: &'static str, lower: Lower) -> Option<String> {
    let mut letters = String::new();
    for b in lower(raw).bytes() {
        if b.is_ascii_lowercase() {
            letters.push(char::from(b));
        }
    }
    let mut found = None;
    if letters.len() != 2 {
        found = pairs(table).find(|&(name, _)| name == letters);
        if found.is_none() {
            found = pairs(table).find(|&(name, _)| text::contains(&letters, name));
        }
    }
    let value = found.map_or(letters.as_str(), |(_, code)| code);
    let value = value.get(..2).unwrap_or(value);
    (!value.is_empty()).then(|| value.to_owned())
}

/// Lowercase, cut at the first `-`, and (departure 1) drop every space. Departure 2: a US zip
/// keeps its first 5 digits; without a country, a bare 9-digit value is a ZIP+4 without its dash.
fn zip(raw: &str, ctx: &Context<'_>) -> Option<String> {
    let country = ctx.country;
    let lowered = (ctx.lower)(raw);
    let head = text::split(&lowered, b'-').next().unwrap_or_default();
    let mut value = String::new();
    let mut units = 0;
    for c in head.chars() {
        if !is_js_space(c) {
            value.push(c);
            units += c.len_utf16();
        }
    }
    if units < 2 {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let zip_plus_4 = country.is_none() && value.len() == 9 && digits(&value);
    match value.get(..5).filter(|first5| digits(first5)) {
        Some(first5) if country == Some("us") || zip_plus_4 => Some(first5.to_owned()),
        _ => Some(value),
    }
}

/// `name=value` pairs separated by single spaces: compact tables for the browser module's size.
fn pairs(table: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text::table_words(table).filter_map(|pair| text::split_once_at(pair, b'='))
}

/// Canadian provinces then US states (the order matters for names found inside longer values).
const STATES: &str = "\
    ontario=on quebec=qc britishcolumbia=bc alberta=ab saskatchewan=sk manitoba=mb novascotia=ns \
    newbrunswick=nb princeedwardisland=pe newfoundlandandlabrador=nl yukon=yt \
    northwestterritories=nt nunavut=nu alabama=al alaska=ak arizona=az arkansas=ar california=ca \
    colorado=co connecticut=ct delaware=de florida=fl georgia=ga hawaii=hi idaho=id illinois=il \
    indiana=in iowa=ia kansas=ks kentucky=ky louisiana=la maine=me maryland=md massachusetts=ma \
    michigan=mi minnesota=mn mississippi=ms missouri=mo montana=mt nebraska=ne nevada=nv \
    newhampshire=nh newjersey=nj newmexico=nm newyork=ny northcarolina=nc northdakota=nd ohio=oh \
    oklahoma=ok oregon=or pennsylvania=pa rhodeisland=ri southcarolina=sc southdakota=sd \
    tennessee=tn texas=tx utah=ut vermont=vt virginia=va washington=wa westvirginia=wv wisconsin=wi \
    wyoming=wy";

/// Country names and common aliases (the order matters for names found inside longer values).
const COUNTRIES: &str = "\
    unitedstates=us usa=us ind=in afghanistan=af alandislands=ax albania=al algeria=dz \
    americansamoa=as andorra=ad angola=ao anguilla=ai antarctica=aq antiguaandbarbuda=ag \
    argentina=ar armenia=am aruba=aw australia=au austria=at azerbaijan=az bahamas=bs bahrain=bh \
    bangladesh=bd barbados=bb belarus=by belgium=be belize=bz benin=bj bermuda=bm bhutan=bt \
    boliviaplurinationalstateof=bo bolivia=bo bonairesinteustatinsandsaba=bq \
    bosniaandherzegovina=ba botswana=bw bouvetisland=bv brazil=br britishindianoceanterritory=io \
    bruneidarussalam=bn brunei=bn bulgaria=bg burkinafaso=bf burundi=bi cambodia=kh cameroon=cm \
    canada=ca capeverde=cv caymanislands=ky centralafricanrepublic=cf chad=td chile=cl china=cn \
    christmasisland=cx cocoskeelingislands=cc colombia=co comoros=km congo=cg \
    congothedemocraticrepublicofthe=cd democraticrepublicofthecongo=cd cookislands=ck costarica=cr \
    cotedivoire=ci ivorycoast=ci croatia=hr cuba=cu curacao=cw cyprus=cy czechrepublic=cz \
    denmark=dk djibouti=dj dominica=dm dominicanrepublic=do ecuador=ec egypt=eg elsalvador=sv \
    equatorialguinea=gq eritrea=er estonia=ee ethiopia=et falklandislandsmalvinas=fk \
    faroeislands=fo fiji=fj finland=fi france=fr frenchguiana=gf frenchpolynesia=pf \
    frenchsouthernterritories=tf gabon=ga gambia=gm georgia=ge germany=de ghana=gh gibraltar=gi \
    greece=gr greenland=gl grenada=gd guadeloupe=gp guam=gu guatemala=gt guernsey=gg guinea=gn \
    guineabissau=gw guyana=gy haiti=ht heardislandandmcdonaldislands=hm holyseevaticancitystate=va \
    vatican=va honduras=hn hongkong=hk hungary=hu iceland=is india=in indonesia=id \
    iranislamicrepublicof=ir iran=ir iraq=iq ireland=ie isleofman=im israel=il italy=it jamaica=jm \
    japan=jp jersey=je jordan=jo kazakhstan=kz kenya=ke kiribati=ki \
    koreademocraticpeoplesrepublicof=kp northkorea=kp korearepublicof=kr southkorea=kr kuwait=kw \
    kyrgyzstan=kg laopeoplesdemocraticrepublic=la laos=la latvia=lv lebanon=lb lesotho=ls \
    liberia=lr libya=ly liechtenstein=li lithuania=lt luxembourg=lu macao=mo \
    macedoniatheformeryugoslavrepublicof=mk macedonia=mk madagascar=mg malawi=mw malaysia=my \
    maldives=mv mali=ml malta=mt marshallislands=mh martinique=mq mauritania=mr mauritius=mu \
    mayotte=yt mexico=mx micronesiafederatedstatesof=fm micronesia=fm moldovarepublicof=md \
    moldova=md monaco=mc mongolia=mn montenegro=me montserrat=ms morocco=ma mozambique=mz \
    myanmar=mm namibia=na nauru=nr nepal=np netherlands=nl newcaledonia=nc newzealand=nz \
    nicaragua=ni niger=ne nigeria=ng niue=nu norfolkisland=nf northernmarianaislands=mp norway=no \
    oman=om pakistan=pk palau=pw palestinestateof=ps palestine=ps panama=pa papuanewguinea=pg \
    paraguay=py peru=pe philippines=ph pitcairn=pn poland=pl portugal=pt puertorico=pr qatar=qa \
    reunion=re romania=ro russianfederation=ru russia=ru rwanda=rw saintbarthelemy=bl \
    sainthelenaascensionandtristandacunha=sh saintkittsandnevis=kn saintlucia=lc \
    saintmartinfrenchpart=mf saintpierreandmiquelon=pm saintvincentandthegrenadines=vc samoa=ws \
    sanmarino=sm saotomeandprincipe=st saudiarabia=sa senegal=sn serbia=rs seychelles=sc \
    sierraleone=sl singapore=sg sintmaartenductchpart=sx slovakia=sk slovenia=si solomonislands=sb \
    somalia=so southafrica=za southgeorgiaandthesouthsandwichislands=gs southsudan=ss spain=es \
    srilanka=lk sudan=sd suriname=sr svalbardandjanmayen=sj eswatini=sz swaziland=sz sweden=se \
    switzerland=ch syrianarabrepublic=sy syria=sy taiwanprovinceofchina=tw taiwan=tw tajikistan=tj \
    tanzaniaunitedrepublicof=tz tanzania=tz thailand=th timorleste=tl easttimor=tl togo=tg \
    tokelau=tk tonga=to trinidadandtobago=tt tunisia=tn turkey=tr turkmenistan=tm \
    turksandcaicosislands=tc tuvalu=tv uganda=ug ukraine=ua unitedarabemirates=ae unitedkingdom=gb \
    unitedstatesofamerica=us unitedstatesminoroutlyingislands=um uruguay=uy uzbekistan=uz \
    vanuatu=vu venezuelabolivarianrepublicof=ve venezuela=ve vietnam=vn virginislandsbritish=vg \
    virginislandsus=vi wallisandfutuna=wf westernsahara=eh yemen=ye zambia=zm zimbabwe=zw";

/// Country calling code = the ISO 3166-1 alpha-2 codes that use it.
const CALLING_CODES: &str = "\
    1=us,ag,ai,as,bb,bm,bs,ca,dm,do,gd,gu,jm,kn,ky,lc,mp,ms,pr,sx,tc,tt,vc,vg,vi,um 7=kz,ru 20=eg \
    27=za 30=gr 31=nl 32=be 33=fr 34=es 36=hu 39=it,va 40=ro 41=ch 43=at 44=gb,gg,im,je 45=dk 46=se \
    47=no,sj,bv 48=pl 49=de 51=pe 52=mx 53=cu 54=ar 55=br 56=cl 57=co 58=ve 60=my 61=au,cc,cx 62=id \
    63=ph 64=nz 65=sg 66=th 81=jp 82=kr 84=vn 86=cn 90=tr 91=in 92=pk 93=af 94=lk 95=mm 98=ir \
    211=ss 212=eh,ma 213=dz 216=tn 218=ly 220=gm 221=sn 222=mr 223=ml 224=gn 225=ci 226=bf 227=ne \
    228=tg 229=bj 230=mu 231=lr 232=sl 233=gh 234=ng 235=td 236=cf 237=cm 238=cv 239=st 240=gq \
    241=ga 242=cg 243=cd 244=ao 245=gw 246=io 247=ac 248=sc 249=sd 250=rw 251=et 252=so 253=dj \
    254=ke 255=tz 256=ug 257=bi 258=mz 260=zm 261=mg 262=re,yt,tf 263=zw 264=na 265=mw 266=ls \
    267=bw 268=sz 269=km 290=sh,ta 291=er 297=aw 298=fo 299=gl 350=gi 351=pt 352=lu 353=ie 354=is \
    355=al 356=mt 357=cy 358=ax,fi 359=bg 370=lt 371=lv 372=ee 373=md 374=am 375=by 376=ad 377=mc \
    378=sm 380=ua 381=rs 382=me 383=xk 385=hr 386=si 387=ba 389=mk 420=cz 421=sk 423=li 500=fk,gs \
    501=bz 502=gt 503=sv 504=hn 505=ni 506=cr 507=pa 508=pm 509=ht 590=bl,gp,mf 591=bo 592=gy \
    593=ec 594=gf 595=py 596=mq 597=sr 598=uy 599=bq,cw 670=tl 672=nf,aq,hm 673=bn 674=nr 675=pg \
    676=to 677=sb 678=vu 679=fj 680=pw 681=wf 682=ck 683=nu 685=ws 686=ki 687=nc 688=tv 689=pf \
    690=tk 691=fm 692=mh 850=kp 852=hk 853=mo 855=kh 856=la 880=bd 886=tw 960=mv 961=lb 962=jo \
    963=sy 964=iq 965=kw 966=sa 967=ye 968=om 970=ps 971=ae 972=il 973=bh 974=qa 975=bt 976=mn \
    977=np 992=tj 993=tm 994=az 995=ge 996=kg 998=uz";

const MALE: &str = "man male boy gentleman guy sir mister mr son father dad daddy papa uncle nephew \
    brother husband boyfriend groom widower king prince duke count emperor god lord lad fellow chap \
    bloke dude he him his himself m";

const FEMALE: &str = "woman female girl lady miss ms mrs madam ma'am daughter mother mom mama mommy \
    aunt niece sister wife girlfriend bride widow queen princess duchess countess empress goddess \
    maiden lass gal chick dame belle she her hers herself f";

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn tables_single_spaced() {
        for table in [STATES, COUNTRIES, CALLING_CODES, MALE, FEMALE] {
            assert!(text::single_spaced(table), "{table}");
        }
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn long_runs_of_digits_in_dates() {
        assert_eq!(
            date_of_birth("0000000000001990/1/2", 2026).as_deref(),
            Some("19900102")
        );
        assert_eq!(date_of_birth("1/2/4294967297", 2026), None);
        assert_eq!(date_of_birth("1/99999999999999999999999/1990", 2026), None);
        assert_eq!(date_of_birth("2/1/1000001990", 2026), None);
    }
}
