package geo

import "strings"

// aliases maps withdrawn or older ISO 3166-2 codes to the current ones.
var aliases = map[string]string{
	"IN-CT": "IN-CG", "IN-OR": "IN-OD", "IN-UT": "IN-UK", "IN-TS": "IN-TG",
	"IN-DD": "IN-DH", "IN-DN": "IN-DH", "PK-TA": "PK-KP", "PK-NW": "PK-KP", "PK-NA": "PK-GB",
}

// Canonical returns the current ISO code for code (upper-cased; older codes
// such as IN-OR or IN-CT become IN-OD and IN-CG).
func Canonical(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if c, ok := aliases[code]; ok {
		return c
	}
	return code
}

// regionNames are English, Urdu and Hindi names of the regions drawn.
var regionNames = map[string][3]string{
	"PK-PB": {"Punjab", "پنجاب", "पंजाब"},
	"PK-SD": {"Sindh", "سندھ", "सिंध"},
	"PK-KP": {"Khyber Pakhtunkhwa", "خیبر پختونخوا", "ख़ैबर पख़्तूनख़्वा"},
	"PK-BA": {"Balochistan", "بلوچستان", "बलूचिस्तान"},
	"PK-IS": {"Islamabad Capital Territory", "اسلام آباد", "इस्लामाबाद राजधानी क्षेत्र"},
	"PK-GB": {"Gilgit-Baltistan", "گلگت بلتستان", "गिलगित-बल्तिस्तान"},
	"PK-JK": {"Azad Jammu and Kashmir", "آزاد جموں و کشمیر", "आज़ाद जम्मू और कश्मीर"},

	"IN-AN": {"Andaman and Nicobar Islands", "جزائر انڈمان و نکوبار", "अंडमान और निकोबार द्वीपसमूह"},
	"IN-AP": {"Andhra Pradesh", "آندھرا پردیش", "आंध्र प्रदेश"},
	"IN-AR": {"Arunachal Pradesh", "اروناچل پردیش", "अरुणाचल प्रदेश"},
	"IN-AS": {"Assam", "آسام", "असम"},
	"IN-BR": {"Bihar", "بہار", "बिहार"},
	"IN-CH": {"Chandigarh", "چنڈی گڑھ", "चंडीगढ़"},
	"IN-CG": {"Chhattisgarh", "چھتیس گڑھ", "छत्तीसगढ़"},
	"IN-DH": {"Dadra and Nagar Haveli and Daman and Diu", "دادرا و نگر حویلی اور دمن و دیو", "दादरा और नगर हवेली और दमन और दीव"},
	"IN-DL": {"Delhi", "دہلی", "दिल्ली"},
	"IN-GA": {"Goa", "گوا", "गोवा"},
	"IN-GJ": {"Gujarat", "گجرات", "गुजरात"},
	"IN-HR": {"Haryana", "ہریانہ", "हरियाणा"},
	"IN-HP": {"Himachal Pradesh", "ہماچل پردیش", "हिमाचल प्रदेश"},
	"IN-JK": {"Jammu and Kashmir", "جموں و کشمیر", "जम्मू और कश्मीर"},
	"IN-JH": {"Jharkhand", "جھارکھنڈ", "झारखंड"},
	"IN-KA": {"Karnataka", "کرناٹک", "कर्नाटक"},
	"IN-KL": {"Kerala", "کیرلا", "केरल"},
	"IN-LA": {"Ladakh", "لداخ", "लद्दाख"},
	"IN-LD": {"Lakshadweep", "لکشدیپ", "लक्षद्वीप"},
	"IN-MP": {"Madhya Pradesh", "مدھیہ پردیش", "मध्य प्रदेश"},
	"IN-MH": {"Maharashtra", "مہاراشٹر", "महाराष्ट्र"},
	"IN-MN": {"Manipur", "منی پور", "मणिपुर"},
	"IN-ML": {"Meghalaya", "میگھالیہ", "मेघालय"},
	"IN-MZ": {"Mizoram", "میزورم", "मिज़ोरम"},
	"IN-NL": {"Nagaland", "ناگالینڈ", "नागालैंड"},
	"IN-OD": {"Odisha", "اڈیشہ", "ओडिशा"},
	"IN-PY": {"Puducherry", "پدوچیری", "पुडुचेरी"},
	"IN-PB": {"Punjab", "پنجاب", "पंजाब"},
	"IN-RJ": {"Rajasthan", "راجستھان", "राजस्थान"},
	"IN-SK": {"Sikkim", "سکم", "सिक्किम"},
	"IN-TN": {"Tamil Nadu", "تمل ناڈو", "तमिलनाडु"},
	"IN-TG": {"Telangana", "تلنگانہ", "तेलंगाना"},
	"IN-TR": {"Tripura", "تریپورہ", "त्रिपुरा"},
	"IN-UP": {"Uttar Pradesh", "اتر پردیش", "उत्तर प्रदेश"},
	"IN-UK": {"Uttarakhand", "اتراکھنڈ", "उत्तराखंड"},
	"IN-WB": {"West Bengal", "مغربی بنگال", "पश्चिम बंगाल"},
}

// Names returns the name of an ISO 3166-1 or 3166-2 code in lang ("en",
// "ur", "hi"; a BCP 47 tag such as "ur-PK" works too), falling back to
// English, then to the code itself.
func Names(code, lang string) string {
	code = Canonical(code)
	i := 0
	switch strings.ToLower(strings.SplitN(lang, "-", 2)[0]) {
	case "ur":
		i = 1
	case "hi":
		i = 2
	}
	n, ok := regionNames[code]
	if !ok {
		if load() != nil {
			return code
		}
		n, ok = names[code]
	}
	if !ok {
		return code
	}
	if n[i] != "" {
		return n[i]
	}
	if n[0] != "" {
		return n[0]
	}
	return code
}
