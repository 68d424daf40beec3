package domain

// Vocabulary names. Each vocabulary is a list of terms with stable codes (what
// exports and the API carry) and translatable labels that admins can edit.
const (
	VocabCategory   = "category"
	VocabActorType  = "actor_type"
	VocabTargetRole = "target_role"
	VocabGender     = "gender"
	VocabSourceKind = "source_kind"
)

// Vocabularies lists the editable vocabularies in display order.
var Vocabularies = []string{VocabCategory, VocabActorType, VocabTargetRole, VocabGender, VocabSourceKind}

// Locales presswatch ships interface strings and vocabulary labels for.
var Locales = []string{"en", "ur", "hi"}

// Term is one entry of a vocabulary. Family groups categories (violence,
// legal, censorship, threats, other); it is empty for other vocabularies.
type Term struct {
	Vocab  string            `json:"vocab"`
	Code   string            `json:"code"`
	Family string            `json:"family,omitempty"`
	Labels map[string]string `json:"labels"`
	Sort   int               `json:"sort"`
	Active bool              `json:"active"`
}

// Label returns the term's label in locale, falling back to English and then
// to the code.
func (t Term) Label(locale string) string {
	if l := t.Labels[locale]; l != "" {
		return l
	}
	if l := t.Labels["en"]; l != "" {
		return l
	}
	return t.Code
}

// Validate reports problems with a term an admin edits.
func (t Term) Validate() error {
	problems := map[string]string{}
	if !isVocab(t.Vocab) {
		problems["vocab"] = "Unknown vocabulary."
	}
	if !validCode(t.Code) {
		problems["code"] = "Use lower-case letters, digits and underscores (at most 64)."
	}
	if t.Labels["en"] == "" {
		problems["label_en"] = "An English label is required."
	}
	for loc, l := range t.Labels {
		if len(l) > 200 {
			problems["label_"+loc] = "Labels are at most 200 characters."
		}
	}
	if t.Vocab == VocabCategory && !isFamily(t.Family) {
		problems["family"] = "Choose a family."
	}
	if len(problems) > 0 {
		return InvalidFields(problems)
	}
	return nil
}

func isVocab(v string) bool {
	for _, x := range Vocabularies {
		if x == v {
			return true
		}
	}
	return false
}

// Category families, in display order.
var CategoryFamilies = []string{"violence", "legal", "censorship", "threats", "other"}

func isFamily(f string) bool {
	for _, x := range CategoryFamilies {
		if x == f {
			return true
		}
	}
	return false
}

func validCode(code string) bool {
	if code == "" || len(code) > 64 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// term builds a default term; labels are English, Urdu, Hindi.
func term(vocab, family, code, en, ur, hi string) Term {
	return Term{Vocab: vocab, Family: family, Code: code, Active: true,
		Labels: map[string]string{"en": en, "ur": ur, "hi": hi}}
}

// DefaultTerms returns the vocabularies a new instance starts with.
func DefaultTerms() []Term {
	c := func(family, code, en, ur, hi string) Term { return term(VocabCategory, family, code, en, ur, hi) }
	terms := []Term{
		c("violence", "killing", "Killing", "قتل", "हत्या"),
		c("violence", "attempted_killing", "Attempted killing", "قتل کی کوشش", "हत्या का प्रयास"),
		c("violence", "physical_assault", "Physical assault", "جسمانی حملہ", "शारीरिक हमला"),
		c("violence", "abduction", "Abduction", "اغوا", "अपहरण"),
		c("violence", "enforced_disappearance", "Enforced disappearance", "جبری گمشدگی", "जबरन गुमशुदगी"),
		c("violence", "torture_ill_treatment", "Torture or ill-treatment", "تشدد یا بدسلوکی", "यातना या दुर्व्यवहार"),
		c("violence", "attack_on_property", "Attack on property", "املاک پر حملہ", "संपत्ति पर हमला"),
		c("violence", "equipment_damage", "Equipment damaged", "آلات کو نقصان", "उपकरण को नुकसान"),
		c("violence", "equipment_seizure", "Equipment seized", "آلات کی ضبطی", "उपकरण ज़ब्त"),
		c("legal", "arrest_detention", "Arrest or detention", "گرفتاری یا حراست", "गिरफ़्तारी या हिरासत"),
		c("legal", "interrogation_summons", "Interrogation or summons", "تفتیش یا طلبی", "पूछताछ या समन"),
		c("legal", "criminal_case", "Criminal case", "فوجداری مقدمہ", "आपराधिक मामला"),
		c("legal", "civil_lawsuit", "Civil lawsuit", "دیوانی مقدمہ", "दीवानी मुक़दमा"),
		c("legal", "conviction_sentence", "Conviction or sentence", "سزا", "दोषसिद्धि या सज़ा"),
		c("legal", "travel_restriction", "Travel restriction", "سفری پابندی", "यात्रा प्रतिबंध"),
		c("legal", "legal_order", "Legal order", "قانونی حکم", "क़ानूनी आदेश"),
		c("legal", "surveillance_spyware", "Surveillance or spyware", "نگرانی یا جاسوسی سافٹ ویئر", "निगरानी या स्पाइवेयर"),
		c("legal", "restrictive_law_regulation", "Restrictive law or regulation", "پابندی والا قانون یا ضابطہ", "प्रतिबंधात्मक क़ानून या नियम"),
		c("legal", "denial_of_access_accreditation", "Denial of access or accreditation", "رسائی یا منظوری سے انکار", "पहुँच या मान्यता से इनकार"),
		c("censorship", "broadcast_ban_off_air", "Broadcast ban or taken off air", "نشریات پر پابندی", "प्रसारण पर रोक"),
		c("censorship", "programme_or_anchor_ban", "Programme or anchor banned", "پروگرام یا اینکر پر پابندی", "कार्यक्रम या एंकर पर रोक"),
		c("censorship", "content_removed", "Content removed", "مواد ہٹا دیا گیا", "सामग्री हटाई गई"),
		c("censorship", "content_edited", "Content edited", "مواد میں ترمیم", "सामग्री में बदलाव"),
		c("censorship", "website_blocked", "Website blocked", "ویب سائٹ بلاک", "वेबसाइट ब्लॉक"),
		c("censorship", "account_withheld", "Account withheld", "اکاؤنٹ روک دیا گیا", "खाता रोका गया"),
		c("censorship", "internet_shutdown", "Internet shutdown", "انٹرنیٹ کی بندش", "इंटरनेट बंद"),
		c("censorship", "distribution_blocked", "Distribution blocked", "ترسیل روک دی گئی", "वितरण रोका गया"),
		c("censorship", "prior_restraint_gag_order", "Prior restraint or gag order", "اشاعت سے پہلے پابندی", "प्रकाशन-पूर्व रोक"),
		c("censorship", "economic_pressure_ad_boycott", "Economic pressure or ad boycott", "معاشی دباؤ یا اشتہارات کا بائیکاٹ", "आर्थिक दबाव या विज्ञापन बहिष्कार"),
		c("censorship", "dismissal_forced_resignation", "Dismissal or forced resignation", "برطرفی یا جبری استعفیٰ", "बर्ख़ास्तगी या जबरन इस्तीफ़ा"),
		c("censorship", "editorial_interference", "Editorial interference", "ادارتی مداخلت", "संपादकीय हस्तक्षेप"),
		c("threats", "threat", "Threat", "دھمکی", "धमकी"),
		c("threats", "online_harassment", "Online harassment", "آن لائن ہراسانی", "ऑनलाइन उत्पीड़न"),
		c("threats", "doxxing", "Doxxing", "ذاتی معلومات کا افشا", "डॉक्सिंग"),
		c("threats", "smear_campaign", "Smear campaign", "کردار کشی کی مہم", "बदनाम करने का अभियान"),
		c("threats", "gendered_harassment", "Gendered harassment", "صنفی ہراسانی", "लैंगिक उत्पीड़न"),
		c("threats", "threat_to_family", "Threat to family", "خاندان کو دھمکی", "परिवार को धमकी"),
		c("threats", "chilling_statement", "Chilling statement", "خوف زدہ کرنے والا بیان", "डराने वाला बयान"),
		c("other", "other", "Other", "دیگر", "अन्य"),
	}
	a := func(code, en, ur, hi string) Term { return term(VocabActorType, "", code, en, ur, hi) }
	terms = append(terms,
		a("police", "Police", "پولیس", "पुलिस"),
		a("military_intelligence", "Military or intelligence", "فوج یا خفیہ ادارے", "सेना या ख़ुफ़िया"),
		a("paramilitary", "Paramilitary", "نیم فوجی دستے", "अर्धसैनिक बल"),
		a("government_agency", "Government agency", "سرکاری ادارہ", "सरकारी एजेंसी"),
		a("regulator", "Regulator", "ریگولیٹر", "नियामक"),
		a("judiciary", "Judiciary", "عدلیہ", "न्यायपालिका"),
		a("political_party", "Political party", "سیاسی جماعت", "राजनीतिक दल"),
		a("religious_group", "Religious group", "مذہبی گروہ", "धार्मिक समूह"),
		a("militant_group", "Militant group", "عسکریت پسند گروہ", "उग्रवादी समूह"),
		a("criminal_group", "Criminal group", "جرائم پیشہ گروہ", "आपराधिक गिरोह"),
		a("private_individual", "Private individual", "نجی فرد", "निजी व्यक्ति"),
		a("advertiser", "Advertiser", "مشتہر", "विज्ञापनदाता"),
		a("media_owner", "Media owner", "میڈیا مالک", "मीडिया मालिक"),
		a("platform_company", "Platform company", "پلیٹ فارم کمپنی", "प्लेटफ़ॉर्म कंपनी"),
		a("mob", "Mob", "ہجوم", "भीड़"),
		a("unknown", "Unknown", "نامعلوم", "अज्ञात"),
	)
	r := func(code, en, ur, hi string) Term { return term(VocabTargetRole, "", code, en, ur, hi) }
	terms = append(terms,
		r("reporter", "Reporter", "رپورٹر", "रिपोर्टर"),
		r("editor", "Editor", "مدیر", "संपादक"),
		r("photojournalist", "Photojournalist", "فوٹو جرنلسٹ", "फ़ोटो पत्रकार"),
		r("camera_operator", "Camera operator", "کیمرہ مین", "कैमरा ऑपरेटर"),
		r("anchor_presenter", "Anchor or presenter", "اینکر", "एंकर"),
		r("columnist", "Columnist", "کالم نگار", "स्तंभकार"),
		r("producer", "Producer", "پروڈیوسر", "निर्माता"),
		r("blogger_citizen_journalist", "Blogger or citizen journalist", "بلاگر یا شہری صحافی", "ब्लॉगर या नागरिक पत्रकार"),
		r("media_owner", "Media owner", "میڈیا مالک", "मीडिया मालिक"),
		r("media_worker", "Media worker", "میڈیا کارکن", "मीडिया कर्मी"),
		r("outlet", "News outlet", "خبر رساں ادارہ", "समाचार संस्थान"),
		r("other", "Other", "دیگر", "अन्य"),
	)
	g := func(code, en, ur, hi string) Term { return term(VocabGender, "", code, en, ur, hi) }
	terms = append(terms,
		g("woman", "Woman", "خاتون", "महिला"),
		g("man", "Man", "مرد", "पुरुष"),
		g("non_binary", "Non-binary", "نان بائنری", "नॉन-बाइनरी"),
		g("unknown", "Unknown", "نامعلوم", "अज्ञात"),
	)
	s := func(code, en, ur, hi string) Term { return term(VocabSourceKind, "", code, en, ur, hi) }
	terms = append(terms,
		s("news_report", "News report", "خبر", "समाचार रिपोर्ट"),
		s("statement", "Statement", "بیان", "बयान"),
		s("official_document", "Official document", "سرکاری دستاویز", "सरकारी दस्तावेज़"),
		s("court_record", "Court record", "عدالتی ریکارڈ", "अदालती रिकॉर्ड"),
		s("social_media", "Social media post", "سوشل میڈیا پوسٹ", "सोशल मीडिया पोस्ट"),
		s("testimony", "Testimony", "گواہی", "गवाही"),
		s("measurement", "Network measurement", "نیٹ ورک پیمائش", "नेटवर्क माप"),
		s("other", "Other", "دیگر", "अन्य"),
	)
	for i := range terms {
		terms[i].Sort = i
	}
	return terms
}
