package demo

// scenario is a kind of incident the demo set draws from.
type scenario struct {
	categories       []string
	actors           []string
	target           string // person (default), outlet or website
	roles            []string
	title, summary   string
	body, update     string
	urTitle, hiTitle string
	tags             []string
}

var reporterRoles = []string{"reporter", "reporter", "editor", "photojournalist", "anchor_presenter", "columnist", "producer", "blogger_citizen_journalist"}

var scenarios = []scenario{
	{
		categories: []string{"abduction", "physical_assault"}, actors: []string{"unknown"}, roles: reporterRoles,
		title:   "{name} of {outlet} abducted in {city}",
		summary: "Journalist {name}, who had reported on enforced disappearances for {outlet}, was taken from outside their home in {city} by men in plain clothes and released two days later with injuries.",
		body:    "Colleagues said {name} was stopped by a vehicle without plates late at night. The family filed a complaint at the local police station, which at first refused to register it.\n\n{name} was released on a highway outside {city} and told to stop writing about missing persons.",
		update:  "A court ordered the police to register the complaint.",
		urTitle: "{city} میں {outlet} کے صحافی اغوا", hiTitle: "{city} में {outlet} के पत्रकार का अपहरण",
		tags: []string{"enforced-disappearances"},
	},
	{
		categories: []string{"arrest_detention", "criminal_case"}, actors: []string{"police", "government_agency"}, roles: reporterRoles,
		title:   "{name} arrested under cybercrime law after post on {outlet}",
		summary: "Police in {city} arrested {name} over a social media post criticising officials and opened a case under the electronic crimes law.",
		body:    "The complaint accused {name} of spreading \"fake news\" and \"anti-state narratives\". Lawyers for {name} said the post quoted an official document.",
		update:  "{name} was released on bail after eleven days.",
		urTitle: "{outlet} کے صحافی سائبر کرائم قانون کے تحت گرفتار", hiTitle: "{outlet} के पत्रकार साइबर अपराध क़ानून के तहत गिरफ़्तार",
		tags: []string{"cybercrime-law"},
	},
	{
		categories: []string{"broadcast_ban_off_air"}, actors: []string{"regulator"}, target: "outlet",
		title:   "{outlet} taken off air across {city} cable networks",
		summary: "Cable operators in {city} stopped carrying {outlet} hours after it aired an interview with an opposition leader; operators said they had received verbal instructions.",
		body:    "No written order was published. Viewers reported that the channel's slot was moved to the end of the list and then disappeared.",
		update:  "Transmission was restored after nine days without explanation.",
		urTitle: "{outlet} کی نشریات بند", hiTitle: "{outlet} का प्रसारण बंद",
		tags: []string{"cable-operators"},
	},
	{
		categories: []string{"website_blocked"}, actors: []string{"regulator"}, target: "website",
		title:   "{outlet} website blocked by internet providers",
		summary: "The website of {outlet} became unreachable on the main mobile and fixed-line networks after it published an investigation into land allocations.",
		body:    "Network measurements showed DNS answers pointing to a block page on several providers. The regulator did not respond to requests for comment.",
		update:  "The block was lifted on some networks only.",
		tags:    []string{"measurements"},
	},
	{
		categories: []string{"content_removed", "editorial_interference"}, actors: []string{"media_owner", "government_agency"}, roles: reporterRoles,
		title:   "Investigation by {name} deleted from {outlet} website",
		summary: "An article by {name} on a housing scheme disappeared from {outlet}'s website within hours of publication; staff said management acted after a phone call.",
		body:    "The URL now redirects to the home page. A captured copy shows the original text.",
		update:  "The outlet's editor said the story was \"under review\".",
		tags:    []string{"stealth-deletion"},
	},
	{
		categories: []string{"threat", "online_harassment"}, actors: []string{"political_party", "private_individual"}, roles: reporterRoles,
		title:   "{name} receives death threats after reporting in {city}",
		summary: "{name} received threatening calls and a coordinated online campaign after reporting on local election irregularities for {outlet}.",
		body:    "Screenshots seen by editors show dozens of accounts sharing {name}'s home address.",
		update:  "Police provided protection for two weeks.",
		urTitle: "{city} میں صحافی کو جان سے مارنے کی دھمکیاں", hiTitle: "{city} में पत्रकार को जान से मारने की धमकी",
		tags: []string{"elections"},
	},
	{
		categories: []string{"gendered_harassment", "smear_campaign"}, actors: []string{"unknown", "political_party"}, roles: reporterRoles,
		title:   "Gendered smear campaign targets {name}",
		summary: "Doctored images of {name}, a journalist with {outlet}, circulated online alongside sexist abuse after a televised debate.",
		body:    "Digital rights groups traced the campaign to a network of newly created accounts.",
		update:  "A platform removed some of the accounts.",
		tags:    []string{"online-violence"},
	},
	{
		categories: []string{"killing"}, actors: []string{"unknown"}, roles: reporterRoles,
		title:   "Journalist {name} shot dead in {city}",
		summary: "{name}, a correspondent for {outlet}, was shot by unidentified gunmen on a motorbike while returning from the press club in {city}.",
		body:    "Colleagues said {name} had reported on local drug networks and had received threats. Police registered a murder case.",
		update:  "Two suspects were arrested; the trial has not started.",
		urTitle: "{city} میں صحافی قتل", hiTitle: "{city} में पत्रकार की हत्या",
		tags: []string{"impunity"},
	},
	{
		categories: []string{"physical_assault", "equipment_damage"}, actors: []string{"police"}, roles: []string{"photojournalist", "camera_operator", "reporter"},
		title:   "Police beat {name} covering protest in {city}",
		summary: "{name} of {outlet} was beaten with batons and had a camera broken while covering a protest, despite showing a press card.",
		body:    "Video shared by colleagues shows officers pushing {name} to the ground.",
		update:  "An inquiry was announced.",
		tags:    []string{"protests"},
	},
	{
		categories: []string{"economic_pressure_ad_boycott"}, actors: []string{"government_agency", "advertiser"}, target: "outlet",
		title:   "Government advertising withdrawn from {outlet}",
		summary: "Provincial departments stopped placing advertisements with {outlet} after it criticised the health budget, cutting a large share of its revenue.",
		body:    "Staff salaries were delayed for three months.",
		update:  "Advertising resumed after the outlet changed its editor.",
		tags:    []string{"advertising"},
	},
	{
		categories: []string{"interrogation_summons", "travel_restriction"}, actors: []string{"government_agency"}, roles: reporterRoles,
		title:   "{name} summoned by investigators and stopped at airport",
		summary: "{name} was summoned for questioning over reporting for {outlet} and later prevented from boarding an international flight.",
		body:    "Officials cited an inquiry but gave no written order.",
		update:  "A court suspended the travel restriction.",
		tags:    []string{"travel-ban"},
	},
	{
		categories: []string{"dismissal_forced_resignation", "programme_or_anchor_ban"}, actors: []string{"media_owner", "regulator"}, roles: []string{"anchor_presenter", "producer"},
		title:   "Anchor {name} taken off air by {outlet}",
		summary: "{outlet} suspended {name}'s evening programme and then ended the contract after an episode on the powers of intelligence agencies.",
		body:    "Staff said management had received complaints from \"the highest level\".",
		update:  "{name} now publishes on a video platform.",
		tags:    []string{"talk-shows"},
	},
	{
		categories: []string{"distribution_blocked"}, actors: []string{"paramilitary"}, target: "outlet",
		title:   "Copies of {outlet} seized from hawkers in {city}",
		summary: "Bundles of the day's edition of {outlet} were taken from distributors in {city} after it carried a report on a military operation.",
		body:    "Hawkers said uniformed men took the newspapers without giving a reason.",
		update:  "Distribution resumed the next day.",
		tags:    []string{"print"},
	},
	{
		categories: []string{"surveillance_spyware"}, actors: []string{"military_intelligence"}, roles: reporterRoles,
		title:   "Spyware found on {name}'s phone",
		summary: "A forensic analysis found traces of commercial spyware on the phone of {name}, an investigative journalist with {outlet}.",
		body:    "The infection dates to the weeks {name} was reporting on procurement contracts.",
		update:  "The findings were shared with the journalist's lawyers.",
		tags:    []string{"spyware"},
	},
	{
		categories: []string{"civil_lawsuit"}, actors: []string{"private_individual"}, roles: reporterRoles,
		title:   "Businessman files defamation suit against {name}",
		summary: "A property developer sued {name} and {outlet} for damages over a report on illegal construction in {city}.",
		body:    "Press freedom groups described the suit as a strategic lawsuit against public participation.",
		update:  "The court dismissed the suit.",
		tags:    []string{"slapp"},
	},
	{
		categories: []string{"internet_shutdown"}, actors: []string{"government_agency"}, target: "outlet",
		title:   "Mobile internet suspended in {city}, newsroom of {outlet} cut off",
		summary: "Mobile data was suspended in {city} for four days during protests; {outlet} could not file reports or reach sources.",
		body:    "The order cited \"law and order\" and was not published.",
		update:  "Service was restored on the fifth day.",
		tags:    []string{"shutdowns"},
	},
}
