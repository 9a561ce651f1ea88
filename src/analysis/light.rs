//! A light Catalan stemmer: plural and gender only, on folded words. Snowball conflates
//! too much for ranking (comarca/comarcal, social/soci, cures/cursos); this keeps those
//! apart while joining cooperativa/cooperatives/cooperatiu/cooperatius, pla/plans,
//! estratègic/estratègics/estratègica and transició/transicions.

use std::borrow::Cow;

use super::stopwords;

/// Shortest word the rules touch: shorter ones are function words or acronyms. Protected
/// words that stem to themselves (acronyms such as XMESS) are left alone too.
const MIN_LEN: usize = 4;

/// Stems one folded, lower-case word.
pub fn light_stem(word: &str) -> Cow<'_, str> {
    if word.len() < MIN_LEN
        || !word.bytes().all(|b| b.is_ascii_lowercase())
        || stopwords::protected_stem(word) == Some(word)
    {
        return Cow::Borrowed(word);
    }
    let singular = singular(word);
    Cow::Owned(base(&singular))
}

/// Plural → singular spelling (or close to it, for the cases `base` then merges).
fn singular(word: &str) -> String {
    let strip = |suffix: &str, with: &str| {
        word.strip_suffix(suffix)
            .filter(|s| s.len() >= 2)
            .map(|s| format!("{s}{with}"))
    };
    // Spelling changes before -es: polítiques → política, col·legues → col·lega.
    if let Some(s) = strip("ques", "ca").or_else(|| strip("gues", "ga")) {
        return s;
    }
    // Singulars in stressed -ès/-às fold to -es/-as and double the s in the plural:
    // interès/interessos, procés/processos; both end up without the final -s.
    if let Some(s) = strip("ssos", "") {
        return s;
    }
    // recursos → recurs, complexos → complex.
    if let Some(s) = strip("sos", "s").or_else(|| strip("xos", "x")) {
        return s;
    }
    // Stressed vowels take -ns: pla/plans, camí/camins, transició/transicions, comú/comuns.
    for vowel in ["ans", "ins", "ons", "uns"] {
        if let Some(s) = strip(vowel, &vowel[..1]) {
            return s;
        }
    }
    // cooperatius → cooperatiu.
    if let Some(s) = strip("ius", "iu") {
        return s;
    }
    match word.strip_suffix('s') {
        Some(s) if s.len() >= 3 && !s.ends_with('s') => s.to_string(),
        _ => word.to_string(),
    }
}

/// Singular → a base shared by masculine and feminine: final -a/-e dropped, -iu/-iva to -iv.
fn base(word: &str) -> String {
    if let Some(s) = word.strip_suffix("iu").or_else(|| word.strip_suffix("iva")) {
        return format!("{s}iv");
    }
    match word.strip_suffix(['a', 'e']) {
        Some(s) if s.len() >= 3 => s.to_string(),
        _ => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(words: &[&str]) {
        let stems: Vec<_> = words.iter().map(|w| light_stem(w)).collect();
        assert!(
            stems.windows(2).all(|w| w[0] == w[1]),
            "{words:?} → {stems:?}"
        );
    }

    fn different(a: &str, b: &str) {
        assert_ne!(light_stem(a), light_stem(b), "{a} {b}");
    }

    #[test]
    fn plural_and_gender_conflate() {
        same(&["cooperativa", "cooperatives", "cooperatiu", "cooperatius"]);
        same(&["pla", "plans"]);
        same(&["estrategic", "estrategics", "estrategica", "estrategiques"]);
        same(&["politica", "politiques", "politic", "politics"]);
        same(&["comarcal", "comarcals"]);
        same(&["transicio", "transicions"]);
        same(&["moneda", "monedes"]);
        same(&["menjador", "menjadors"]);
        same(&["entitat", "entitats"]);
        same(&["interes", "interessos"]);
        same(&["proces", "processos"]);
        same(&["cami", "camins"]);
        same(&["habitatge", "habitatges"]);
        same(&["escola", "escoles"]);
        same(&["clausula", "clausules"]);
        same(&["prestec", "prestecs"]);
    }

    #[test]
    fn derivations_stay_apart() {
        different("comarca", "comarcal");
        different("social", "soci");
        different("habitatge", "habitants");
        different("cures", "cursos");
        different("escola", "escolar");
        different("publicacio", "publica");
    }

    #[test]
    fn short_words_acronyms_and_numbers_are_untouched() {
        for w in ["ess", "xmess", "ods", "2023", "les", "km0"] {
            assert_eq!(light_stem(w), w);
        }
    }
}
