package demo

// place is a city the demo set puts incidents in.
type place struct {
	country, admin1, district, city string
	lat, lon                        float64
}

// places are real cities; the people and events placed in them are not.
var places = []place{
	{"PK", "PK-PB", "Lahore", "Lahore", 31.5204, 74.3587},
	{"PK", "PK-PB", "Faisalabad", "Faisalabad", 31.4504, 73.1350},
	{"PK", "PK-PB", "Multan", "Multan", 30.1575, 71.5249},
	{"PK", "PK-PB", "Rawalpindi", "Rawalpindi", 33.5651, 73.0169},
	{"PK", "PK-SD", "Karachi", "Karachi", 24.8607, 67.0011},
	{"PK", "PK-SD", "Hyderabad", "Hyderabad", 25.3960, 68.3578},
	{"PK", "PK-SD", "Sukkur", "Sukkur", 27.7052, 68.8574},
	{"PK", "PK-KP", "Peshawar", "Peshawar", 34.0151, 71.5249},
	{"PK", "PK-KP", "Swat", "Mingora", 34.7717, 72.3600},
	{"PK", "PK-KP", "Dera Ismail Khan", "Dera Ismail Khan", 31.8314, 70.9019},
	{"PK", "PK-BA", "Quetta", "Quetta", 30.1798, 66.9750},
	{"PK", "PK-BA", "Gwadar", "Gwadar", 25.1216, 62.3254},
	{"PK", "PK-BA", "Turbat", "Turbat", 26.0031, 63.0446},
	{"PK", "PK-IS", "Islamabad", "Islamabad", 33.6844, 73.0479},
	{"PK", "PK-GB", "Gilgit", "Gilgit", 35.9208, 74.3080},
	{"PK", "PK-JK", "Muzaffarabad", "Muzaffarabad", 34.3700, 73.4711},
	{"IN", "IN-DL", "New Delhi", "New Delhi", 28.6139, 77.2090},
	{"IN", "IN-MH", "Mumbai", "Mumbai", 19.0760, 72.8777},
	{"IN", "IN-UP", "Lucknow", "Lucknow", 26.8467, 80.9462},
	{"IN", "IN-UP", "Hathras", "Hathras", 27.5960, 78.0490},
	{"IN", "IN-KA", "Bengaluru Urban", "Bengaluru", 12.9716, 77.5946},
	{"IN", "IN-WB", "Kolkata", "Kolkata", 22.5726, 88.3639},
	{"IN", "IN-JK", "Srinagar", "Srinagar", 34.0837, 74.7973},
	{"IN", "IN-MN", "Imphal West", "Imphal", 24.8170, 93.9368},
	{"IN", "IN-CT", "Bastar", "Jagdalpur", 19.0748, 82.0080},
	{"BD", "BD-C", "Dhaka", "Dhaka", 23.8103, 90.4125},
	{"BD", "BD-B", "Chattogram", "Chattogram", 22.3569, 91.7832},
	{"BD", "BD-G", "Sylhet", "Sylhet", 24.8949, 91.8687},
	{"AF", "AF-KAB", "Kabul", "Kabul", 34.5553, 69.2075},
	{"AF", "AF-KAN", "Kandahar", "Kandahar", 31.6289, 65.7372},
	{"AF", "AF-HER", "Herat", "Herat", 34.3529, 62.2040},
	{"NP", "NP-P3", "Kathmandu", "Kathmandu", 27.7172, 85.3240},
	{"LK", "LK-1", "Colombo", "Colombo", 6.9271, 79.8612},
	{"LK", "LK-4", "Jaffna", "Jaffna", 9.6615, 80.0255},
}

// weights make Pakistan the main country of the demo set, as for a
// Pakistan-focused team, with its neighbours beside it.
var countryWeight = map[string]int{"PK": 8, "IN": 5, "BD": 2, "AF": 2, "NP": 1, "LK": 1}

var givenNames = []string{"Ayesha", "Bilal", "Sana", "Imran", "Farah", "Zubair", "Nadia", "Kamran", "Rabia", "Asad",
	"Meera", "Arjun", "Priya", "Rohan", "Kavita", "Vikram", "Tahmina", "Rafiq", "Shirin", "Nabil", "Sita", "Dilan"}
var familyNames = []string{"Qureshi", "Baloch", "Khattak", "Memon", "Siddiqui", "Abbasi", "Chaudhry", "Mengal",
	"Sharma", "Iyer", "Banerjee", "Naqvi", "Rahman", "Hossain", "Karimi", "Shrestha", "Perera", "Wazir"}
var outletNames = []string{"Daily Roshni", "Sindh Awaz TV", "Khyber Voice", "Margalla Times", "Indus Herald",
	"Mehran News", "The Frontier Post Online", "Balochistan Point", "Deccan Ledger", "Ganga Samachar",
	"Valley Observer", "Dhaka Bulletin", "Kabul Pulse", "Himal Dispatch", "Lanka Record"}
