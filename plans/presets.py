"""Starting points for new plans: per audience and stage, guidance and suggested items."""

from dataclasses import dataclass


@dataclass(frozen=True)
class KPIPreset:
    key: str  # stable slug, unique within the module, e.g. "b2c-reach-unique-visitors"
    name: str  # "Unique visitors"
    unit: str  # one of UNITS
    direction: str  # "up" or "down" (which way is better)
    definition: str  # formula / note, e.g. "Revenue ÷ visits"


@dataclass(frozen=True)
class ObjectivePreset:
    key: str
    title: str
    description: str
    kpi_key: str | None  # key of a KPIPreset in the same stage that measures it


@dataclass(frozen=True)
class TacticPreset:
    key: str
    title: str
    description: str
    channel: str  # e.g. "Instagram", "Google Ads", "LinkedIn", "Email", "Website"
    media: str  # one of MEDIA


@dataclass(frozen=True)
class StagePreset:
    stage: str  # one of STAGES
    aim: str  # one line: what this stage is for
    guidance: str  # 2–4 sentences of advice for this audience
    opportunity_hint: str  # placeholder for the worksheet's "opportunity" field
    strategy_hint: str  # placeholder for "strategy"
    actions_hint: str  # placeholder for "actions"
    kpis: tuple[KPIPreset, ...]
    objectives: tuple[ObjectivePreset, ...]
    tactics: tuple[TacticPreset, ...]
    primary_kpi_key: str  # the stage's funnel volume KPI


AUDIENCES: tuple[str, ...] = ("b2c", "b2b")
STAGES: tuple[str, ...] = ("plan", "reach", "act", "convert", "engage")
UNITS: frozenset[str] = frozenset({"count", "percent", "currency", "ratio", "score", "duration"})
DIRECTIONS: frozenset[str] = frozenset({"up", "down"})
MEDIA: frozenset[str] = frozenset({"paid", "owned", "earned"})

_AIMS: dict[str, str] = {
    "plan": "Agree the goals, budget and headline measures that every other stage rolls up to.",
    "reach": "Build awareness and bring the right people to your site, profiles and listings.",
    "act": "Turn anonymous visits into a first interaction: a sign-up, enquiry or lead.",
    "convert": "Turn interest into a sale or a qualified deal, online or offline.",
    "engage": "Keep customers coming back, buying again and recommending you.",
}


# --------------------------------------------------------------------------------------------
# B2C
# --------------------------------------------------------------------------------------------

_B2C_PLAN = StagePreset(
    stage="plan",
    aim=_AIMS["plan"],
    guidance=(
        "Pick one revenue goal for the quarter and work backwards to how many visitors, "
        "sign-ups and orders it needs. Split the budget across the four stages instead of "
        "pouring it all into ads, and make sure tracking works before anything launches. "
        "Look at the numbers together every quarter and move money to what is working."
    ),
    opportunity_hint=(
        "e.g. Online sales are 18 % of revenue; competitors with similar ranges reach 35 %."
    ),
    strategy_hint=(
        "e.g. Grow the online shop as the main channel, funded by shifting 20 % of print spend."
    ),
    actions_hint=("e.g. Set quarterly targets per stage, fix checkout tracking by 15 March (Sam)."),
    kpis=(
        KPIPreset(
            key="b2c-plan-online-revenue-contribution",
            name="Online revenue contribution",
            unit="percent",
            direction="up",
            definition="Online revenue ÷ total revenue",
        ),
        KPIPreset(
            key="b2c-plan-online-revenue",
            name="Online revenue",
            unit="currency",
            direction="up",
            definition="Total revenue from online orders in the period",
        ),
        KPIPreset(
            key="b2c-plan-net-promoter-score",
            name="Net promoter score",
            unit="score",
            direction="up",
            definition="% promoters − % detractors (−100 to 100)",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2c-plan-obj-online-share",
            title="Raise online revenue contribution to 30 % within 12 months",
            description="Make the web shop a bigger share of the business, quarter by quarter.",
            kpi_key="b2c-plan-online-revenue-contribution",
        ),
        ObjectivePreset(
            key="b2c-plan-obj-nps",
            title="Lift net promoter score from 20 to 35 by year end",
            description="Happier customers buy again and bring friends; survey after delivery.",
            kpi_key="b2c-plan-net-promoter-score",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2c-plan-tac-analytics",
            title="Set up analytics and purchase tracking",
            description="Tag key events (sign-up, add to cart, purchase) and check them weekly.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2c-plan-tac-budget-split",
            title="Split the quarterly budget across the RACE stages",
            description="Reserve money for retention and content, not only for paid reach.",
            channel="All channels",
            media="paid",
        ),
        TacticPreset(
            key="b2c-plan-tac-nps-survey",
            title="Post-purchase NPS survey",
            description="One-question e-mail survey a week after delivery, reviewed monthly.",
            channel="Email",
            media="owned",
        ),
    ),
    primary_kpi_key="b2c-plan-online-revenue-contribution",
)

_B2C_REACH = StagePreset(
    stage="reach",
    aim=_AIMS["reach"],
    guidance=(
        "Consumers find new brands while scrolling, watching and browsing, not only when they "
        "search. Show up in short video, social feeds and blogs with content people enjoy, and "
        "point it at the shoppers who actually fit your range. Judge channels by the quality of "
        "the visits they send, not just by the size of the audience."
    ),
    opportunity_hint=(
        "e.g. 8,000 visitors a month, mostly returning; few people search for our brand name."
    ),
    strategy_hint=(
        "e.g. Win new shoppers through styling videos on Instagram and TikTok plus product SEO."
    ),
    actions_hint=(
        "e.g. Three Reels a week (Mia); rewrite 20 category pages for search by end of April."
    ),
    kpis=(
        KPIPreset(
            key="b2c-reach-unique-visitors",
            name="Unique visitors",
            unit="count",
            direction="up",
            definition="Distinct people visiting the site in the period",
        ),
        KPIPreset(
            key="b2c-reach-impressions",
            name="Impressions",
            unit="count",
            direction="up",
            definition="Times ads, posts or listings were shown",
        ),
        KPIPreset(
            key="b2c-reach-share-of-search",
            name="Share of search",
            unit="percent",
            direction="up",
            definition="Our brand searches ÷ all brand searches in the category",
        ),
        KPIPreset(
            key="b2c-reach-value-per-visit",
            name="Value per visit",
            unit="currency",
            direction="up",
            definition="Revenue ÷ visits",
        ),
        KPIPreset(
            key="b2c-reach-cost-per-click",
            name="Cost per click",
            unit="currency",
            direction="down",
            definition="Ad spend ÷ clicks",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2c-reach-obj-organic-visitors",
            title="Grow organic visitors by 30 % this quarter",
            description="Better category pages and a weekly blog post on styling and care.",
            kpi_key="b2c-reach-unique-visitors",
        ),
        ObjectivePreset(
            key="b2c-reach-obj-cpc",
            title="Cut average cost per click below €0.40 within 8 weeks",
            description="Tighter audiences and fresh creative every two weeks.",
            kpi_key="b2c-reach-cost-per-click",
        ),
        ObjectivePreset(
            key="b2c-reach-obj-share-of-search",
            title="Reach a 5 % share of search in our category by year end",
            description="A sign that more people know and look for the brand by name.",
            kpi_key="b2c-reach-share-of-search",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2c-reach-tac-reels",
            title="Short styling videos",
            description="Three Reels a week showing products in use; boost the best performer.",
            channel="Instagram",
            media="owned",
        ),
        TacticPreset(
            key="b2c-reach-tac-shopping-ads",
            title="Shopping ads for best sellers",
            description="Product feed campaigns limited to the top 50 items by margin.",
            channel="Google Ads",
            media="paid",
        ),
        TacticPreset(
            key="b2c-reach-tac-creators",
            title="Micro-influencer seeding",
            description="Send new arrivals to ten small creators whose followers match our buyers.",
            channel="TikTok",
            media="earned",
        ),
    ),
    primary_kpi_key="b2c-reach-unique-visitors",
)

_B2C_ACT = StagePreset(
    stage="act",
    aim=_AIMS["act"],
    guidance=(
        "Give visitors an easy, low-risk first step: a quiz, a style guide, a first-order "
        "discount for joining the list. Keep the message short and emotional, and make the next "
        "click obvious on every page. Capturing an e-mail address now is what makes later "
        "reminders and offers possible."
    ),
    opportunity_hint=(
        "e.g. 70 % of mobile visitors leave after one page; only 1 % join the e-mail list."
    ),
    strategy_hint=(
        "e.g. Turn browsers into subscribers with a style quiz and a 10 % welcome offer."
    ),
    actions_hint=(
        "e.g. Launch the quiz by 1 May (Leo); test two pop-up offers for four weeks each."
    ),
    kpis=(
        KPIPreset(
            key="b2c-act-sign-ups",
            name="Sign-ups",
            unit="count",
            direction="up",
            definition="New e-mail subscribers or accounts in the period",
        ),
        KPIPreset(
            key="b2c-act-sign-up-rate",
            name="Sign-up conversion rate",
            unit="percent",
            direction="up",
            definition="Sign-ups ÷ visitors",
        ),
        KPIPreset(
            key="b2c-act-bounce-rate",
            name="Bounce rate",
            unit="percent",
            direction="down",
            definition="Single-page sessions ÷ sessions",
        ),
        KPIPreset(
            key="b2c-act-cost-per-sign-up",
            name="Cost per sign-up",
            unit="currency",
            direction="down",
            definition="Spend ÷ sign-ups",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2c-act-obj-sign-ups",
            title="Double monthly e-mail sign-ups by the end of the quarter",
            description="Welcome offer plus a style quiz that ends with a sign-up step.",
            kpi_key="b2c-act-sign-ups",
        ),
        ObjectivePreset(
            key="b2c-act-obj-bounce",
            title="Bring mobile bounce rate under 45 % within 3 months",
            description="Faster pages and clearer next steps above the fold.",
            kpi_key="b2c-act-bounce-rate",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2c-act-tac-quiz",
            title="Style quiz with personalised picks",
            description="Five questions, then matching products; results sent by e-mail.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2c-act-tac-welcome-offer",
            title="Welcome discount for subscribers",
            description="10 % off the first order in exchange for an e-mail address.",
            channel="Email",
            media="owned",
        ),
        TacticPreset(
            key="b2c-act-tac-lead-ads",
            title="Giveaway lead ads",
            description="Monthly prize draw ads that collect sign-ups inside the app.",
            channel="Facebook",
            media="paid",
        ),
    ),
    primary_kpi_key="b2c-act-sign-ups",
)

_B2C_CONVERT = StagePreset(
    stage="convert",
    aim=_AIMS["convert"],
    guidance=(
        "Remove every bit of friction between 'I like this' and 'paid': fewer checkout steps, "
        "guest checkout, familiar payment methods, clear delivery costs. Make offers simple and "
        "the call to action impossible to miss. Win back people who leave with a full basket "
        "through reminders and retargeting."
    ),
    opportunity_hint=(
        "e.g. Conversion rate is 0.9 %; 75 % of carts are abandoned at the shipping step."
    ),
    strategy_hint=(
        "e.g. Simplify checkout and show delivery costs early; recover carts by e-mail."
    ),
    actions_hint=(
        "e.g. One-page checkout live by June (dev team); cart e-mails after 1 h and 24 h."
    ),
    kpis=(
        KPIPreset(
            key="b2c-convert-orders",
            name="Orders",
            unit="count",
            direction="up",
            definition="Completed online orders in the period",
        ),
        KPIPreset(
            key="b2c-convert-conversion-rate",
            name="Conversion rate",
            unit="percent",
            direction="up",
            definition="Orders ÷ visitors",
        ),
        KPIPreset(
            key="b2c-convert-average-order-value",
            name="Average order value",
            unit="currency",
            direction="up",
            definition="Revenue ÷ orders",
        ),
        KPIPreset(
            key="b2c-convert-cost-per-acquisition",
            name="Cost per acquisition",
            unit="currency",
            direction="down",
            definition="Marketing cost ÷ conversions",
        ),
        KPIPreset(
            key="b2c-convert-roas",
            name="Return on ad spend",
            unit="ratio",
            direction="up",
            definition="Ad revenue ÷ ad cost",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2c-convert-obj-conversion-rate",
            title="Lift conversion rate from 1 % to 2 % within six months",
            description="Shorter checkout, trust signals and clearer product pages.",
            kpi_key="b2c-convert-conversion-rate",
        ),
        ObjectivePreset(
            key="b2c-convert-obj-aov",
            title="Increase average order value by 15 % this quarter",
            description="Bundles and a free-shipping threshold just above today's average.",
            kpi_key="b2c-convert-average-order-value",
        ),
        ObjectivePreset(
            key="b2c-convert-obj-roas",
            title="Keep return on ad spend above 4 every month",
            description="Pause campaigns that fall below target for two weeks running.",
            kpi_key="b2c-convert-roas",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2c-convert-tac-cart-recovery",
            title="Abandoned-cart reminders",
            description="Two automated e-mails with the basket contents and a help link.",
            channel="Email",
            media="owned",
        ),
        TacticPreset(
            key="b2c-convert-tac-checkout",
            title="One-page checkout with guest option",
            description="Fewer fields, wallet payments and delivery cost shown up front.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2c-convert-tac-retargeting",
            title="Dynamic retargeting",
            description="Show viewed products to recent visitors for seven days.",
            channel="Meta Ads",
            media="paid",
        ),
    ),
    primary_kpi_key="b2c-convert-orders",
)

_B2C_ENGAGE = StagePreset(
    stage="engage",
    aim=_AIMS["engage"],
    guidance=(
        "A second order is cheaper to win than a first one, so look after buyers once the "
        "parcel arrives. Ask for reviews and photos, reward loyalty, and send useful "
        "follow-ups rather than constant discounts. Happy customers' reviews and posts then "
        "feed new visitors back into Reach."
    ),
    opportunity_hint=(
        "e.g. Only 12 % of customers order a second time; we have 40 product reviews in total."
    ),
    strategy_hint=("e.g. Build a loyalty programme and a review habit around the first delivery."),
    actions_hint=(
        "e.g. Review request e-mail 10 days after delivery; points scheme live by Q3 (Ana)."
    ),
    kpis=(
        KPIPreset(
            key="b2c-engage-repeat-customers",
            name="Repeat customers",
            unit="count",
            direction="up",
            definition="Customers with a second or later order in the period",
        ),
        KPIPreset(
            key="b2c-engage-repeat-purchase-rate",
            name="Repeat purchase rate",
            unit="percent",
            direction="up",
            definition="Repeat orders ÷ all orders",
        ),
        KPIPreset(
            key="b2c-engage-customer-lifetime-value",
            name="Customer lifetime value",
            unit="currency",
            direction="up",
            definition="Average order value × purchase frequency × customer lifespan",
        ),
        KPIPreset(
            key="b2c-engage-reviews",
            name="Reviews",
            unit="count",
            direction="up",
            definition="New product or shop reviews in the period",
        ),
        KPIPreset(
            key="b2c-engage-referrals",
            name="Referrals",
            unit="count",
            direction="up",
            definition="New customers who arrived through a customer's referral",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2c-engage-obj-repeat",
            title="Grow repeat purchases by 30 % within six months",
            description="Loyalty points, replenishment reminders and early access for members.",
            kpi_key="b2c-engage-repeat-customers",
        ),
        ObjectivePreset(
            key="b2c-engage-obj-reviews",
            title="Collect 200 new reviews by the end of the quarter",
            description="Ask at the right moment and make leaving a photo review quick.",
            kpi_key="b2c-engage-reviews",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2c-engage-tac-loyalty",
            title="Points-based loyalty programme",
            description="Points per purchase and review, redeemable against the next order.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2c-engage-tac-review-request",
            title="Post-delivery review request",
            description="Automated e-mail ten days after delivery with a one-tap star rating.",
            channel="Email",
            media="owned",
        ),
        TacticPreset(
            key="b2c-engage-tac-ugc",
            title="Customer photo hashtag",
            description="Repost customers' outfit photos; feature one each week.",
            channel="Instagram",
            media="earned",
        ),
    ),
    primary_kpi_key="b2c-engage-repeat-customers",
)


# --------------------------------------------------------------------------------------------
# B2B
# --------------------------------------------------------------------------------------------

_B2B_PLAN = StagePreset(
    stage="plan",
    aim=_AIMS["plan"],
    guidance=(
        "Start from the revenue target and the length of your sales cycle, then work out how "
        "many qualified leads and opportunities it takes. Agree with sales what counts as an "
        "MQL and an SQL before setting any targets. Put CRM and analytics tracking in place "
        "first, and review pipeline numbers together with sales every quarter."
    ),
    opportunity_hint=(
        "e.g. 10 % of new revenue comes from digital leads; most deals still start at events."
    ),
    strategy_hint=("e.g. Make the website and LinkedIn our main source of pipeline within a year."),
    actions_hint=(
        "e.g. Agree MQL/SQL definitions with sales by end of month; connect CRM to analytics."
    ),
    kpis=(
        KPIPreset(
            key="b2b-plan-online-revenue-contribution",
            name="Online revenue contribution",
            unit="percent",
            direction="up",
            definition="Revenue from digitally sourced deals ÷ total revenue",
        ),
        KPIPreset(
            key="b2b-plan-marketing-sourced-revenue",
            name="Marketing-sourced revenue",
            unit="currency",
            direction="up",
            definition="Revenue from won deals that started as a marketing lead",
        ),
        KPIPreset(
            key="b2b-plan-net-promoter-score",
            name="Net promoter score",
            unit="score",
            direction="up",
            definition="% promoters − % detractors (−100 to 100)",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2b-plan-obj-digital-share",
            title="Source 40 % of new revenue from digital leads within 12 months",
            description="Shift pipeline generation from events to search, content and LinkedIn.",
            kpi_key="b2b-plan-online-revenue-contribution",
        ),
        ObjectivePreset(
            key="b2b-plan-obj-nps",
            title="Keep customer NPS above 40 in every quarterly survey",
            description="A leading signal for renewals, expansion and referrals.",
            kpi_key="b2b-plan-net-promoter-score",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2b-plan-tac-crm-tracking",
            title="Connect CRM and web analytics",
            description="Carry campaign source from first visit through to closed deal.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2b-plan-tac-budget",
            title="Quarterly budget and target sheet",
            description="Split spend by stage and set lead and pipeline targets with sales.",
            channel="All channels",
            media="paid",
        ),
        TacticPreset(
            key="b2b-plan-tac-nps",
            title="Twice-yearly customer NPS survey",
            description="Short survey to all account contacts; follow up with every detractor.",
            channel="Email",
            media="owned",
        ),
    ),
    primary_kpi_key="b2b-plan-online-revenue-contribution",
)

_B2B_REACH = StagePreset(
    stage="reach",
    aim=_AIMS["reach"],
    guidance=(
        "Business buyers go looking when they have a specific problem, so be present where "
        "they research it: search, LinkedIn, trade media and specialist communities. Useful, "
        "expert content such as guides, benchmarks and webinars earns attention better than "
        "broad brand ads. Target by role, industry and company size rather than by volume."
    ),
    opportunity_hint=(
        "e.g. 2,500 visitors a month; we do not rank for the problems our product solves."
    ),
    strategy_hint=(
        "e.g. Own the search results for 'expense tracking for SMEs' and reach finance leads "
        "on LinkedIn."
    ),
    actions_hint=(
        "e.g. Two in-depth articles a month (Tom); LinkedIn campaign to CFOs from 1 April."
    ),
    kpis=(
        KPIPreset(
            key="b2b-reach-unique-visitors",
            name="Unique visitors",
            unit="count",
            direction="up",
            definition="Distinct people visiting the site in the period",
        ),
        KPIPreset(
            key="b2b-reach-impressions",
            name="Impressions",
            unit="count",
            direction="up",
            definition="Times ads, posts or listings were shown to the target audience",
        ),
        KPIPreset(
            key="b2b-reach-share-of-search",
            name="Share of search",
            unit="percent",
            direction="up",
            definition="Our brand searches ÷ all brand searches in the category",
        ),
        KPIPreset(
            key="b2b-reach-value-per-visit",
            name="Value per visit",
            unit="currency",
            direction="up",
            definition="Revenue (or pipeline value) ÷ visits",
        ),
        KPIPreset(
            key="b2b-reach-cost-per-click",
            name="Cost per click",
            unit="currency",
            direction="down",
            definition="Ad spend ÷ clicks",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2b-reach-obj-visitors",
            title="Grow organic visitors from target industries by 25 % this quarter",
            description="Publish problem-led articles around the searches buyers already make.",
            kpi_key="b2b-reach-unique-visitors",
        ),
        ObjectivePreset(
            key="b2b-reach-obj-share-of-search",
            title="Double our share of search within 12 months",
            description="More buyers should look for us by name when they start researching.",
            kpi_key="b2b-reach-share-of-search",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2b-reach-tac-linkedin-ads",
            title="Sponsored content to decision makers",
            description="Promote guides to finance and operations leads at 20–500 staff firms.",
            channel="LinkedIn",
            media="paid",
        ),
        TacticPreset(
            key="b2b-reach-tac-seo",
            title="Problem-led SEO articles",
            description="Answer the questions buyers search for before they know our name.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2b-reach-tac-guest-articles",
            title="Guest articles and podcast slots",
            description="Share expertise in trade media and niche podcasts the buyers follow.",
            channel="Trade media",
            media="earned",
        ),
    ),
    primary_kpi_key="b2b-reach-unique-visitors",
)

_B2B_ACT = StagePreset(
    stage="act",
    aim=_AIMS["act"],
    guidance=(
        "Trust comes before contact details: show how the product fits the buyer's situation "
        "and be open about price ranges and implementation. Offer practical tools such as ROI "
        "calculators, templates and webinars in exchange for an e-mail, then nurture those "
        "leads until they are ready to talk. Score leads so sales gets the right ones."
    ),
    opportunity_hint=(
        "e.g. Visitors read our articles but only 0.5 % leave contact details; no nurture flow."
    ),
    strategy_hint=(
        "e.g. Gate one high-value tool per topic and nurture sign-ups with a 6-week e-mail course."
    ),
    actions_hint=(
        "e.g. ROI calculator live by May (Priya); monthly webinar; lead scoring set up in CRM."
    ),
    kpis=(
        KPIPreset(
            key="b2b-act-mqls",
            name="MQLs",
            unit="count",
            direction="up",
            definition="Marketing-qualified leads: leads meeting the agreed fit and interest score",
        ),
        KPIPreset(
            key="b2b-act-leads",
            name="Leads",
            unit="count",
            direction="up",
            definition="New contacts who submitted a form, download or webinar sign-up",
        ),
        KPIPreset(
            key="b2b-act-lead-conversion-rate",
            name="Lead conversion rate",
            unit="percent",
            direction="up",
            definition="Leads ÷ visitors",
        ),
        KPIPreset(
            key="b2b-act-bounce-rate",
            name="Bounce rate",
            unit="percent",
            direction="down",
            definition="Single-page sessions ÷ sessions",
        ),
        KPIPreset(
            key="b2b-act-cost-per-lead",
            name="Cost per lead",
            unit="currency",
            direction="down",
            definition="Spend ÷ leads",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2b-act-obj-mqls",
            title="Generate 120 MQLs per quarter by Q4",
            description="Gated tools and webinars, followed by a scored nurture sequence.",
            kpi_key="b2b-act-mqls",
        ),
        ObjectivePreset(
            key="b2b-act-obj-cost-per-lead",
            title="Lower cost per lead by 20 % within six months",
            description="Move budget from cold ads to content that already converts.",
            kpi_key="b2b-act-cost-per-lead",
        ),
        ObjectivePreset(
            key="b2b-act-obj-lead-rate",
            title="Raise lead conversion rate to 2 % on solution pages this quarter",
            description="Add case studies, clear pricing ranges and a short contact form.",
            kpi_key="b2b-act-lead-conversion-rate",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2b-act-tac-roi-calculator",
            title="ROI calculator",
            description="Buyers enter their numbers and get a report by e-mail.",
            channel="Website",
            media="owned",
        ),
        TacticPreset(
            key="b2b-act-tac-webinar",
            title="Monthly expert webinar",
            description="Live Q&A on a buyer problem; recording offered to registrants.",
            channel="Webinar",
            media="owned",
        ),
        TacticPreset(
            key="b2b-act-tac-lead-gen-forms",
            title="Lead-gen forms for the whitepaper",
            description="Pre-filled LinkedIn forms that deliver the download instantly.",
            channel="LinkedIn",
            media="paid",
        ),
        TacticPreset(
            key="b2b-act-tac-nurture",
            title="Six-week nurture sequence",
            description="Weekly e-mails with a case study, checklist and demo invitation.",
            channel="Email",
            media="owned",
        ),
    ),
    primary_kpi_key="b2b-act-mqls",
)

_B2B_CONVERT = StagePreset(
    stage="convert",
    aim=_AIMS["convert"],
    guidance=(
        "Several people usually sign off on a purchase, so give each of them what they need: "
        "a clear ROI case, references from similar companies, security and contract details. "
        "Demos and trials should be tailored to the buyer's own use case. Track how leads move "
        "from MQL to SQL to won deal and fix the step where most of them stall."
    ),
    opportunity_hint=(
        "e.g. Half of our SQLs go quiet after the demo; proposals take two weeks to send."
    ),
    strategy_hint=(
        "e.g. Tailored demos, a proposal template with an ROI summary and customer references."
    ),
    actions_hint=(
        "e.g. Proposal template by June (sales ops); book references for every late-stage deal."
    ),
    kpis=(
        KPIPreset(
            key="b2b-convert-won-deals",
            name="Won deals",
            unit="count",
            direction="up",
            definition="Opportunities closed as won (new customers) in the period",
        ),
        KPIPreset(
            key="b2b-convert-sql-rate",
            name="SQL rate",
            unit="percent",
            direction="up",
            definition="SQLs ÷ MQLs",
        ),
        KPIPreset(
            key="b2b-convert-close-rate",
            name="Close rate",
            unit="percent",
            direction="up",
            definition="Won deals ÷ opportunities",
        ),
        KPIPreset(
            key="b2b-convert-average-deal-value",
            name="Average deal value",
            unit="currency",
            direction="up",
            definition="Revenue ÷ won deals",
        ),
        KPIPreset(
            key="b2b-convert-cost-per-acquisition",
            name="Cost per acquisition",
            unit="currency",
            direction="down",
            definition="Sales and marketing cost ÷ new customers",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2b-convert-obj-sql-rate",
            title="Raise MQL-to-SQL rate by 25 % within two quarters",
            description="Faster follow-up and better-qualified leads from content.",
            kpi_key="b2b-convert-sql-rate",
        ),
        ObjectivePreset(
            key="b2b-convert-obj-won-deals",
            title="Win 15 new customers this quarter",
            description="Focus sales time on opportunities that match the ideal customer profile.",
            kpi_key="b2b-convert-won-deals",
        ),
        ObjectivePreset(
            key="b2b-convert-obj-close-rate",
            title="Lift close rate from 20 % to 28 % by year end",
            description="ROI-backed proposals and references for every late-stage deal.",
            kpi_key="b2b-convert-close-rate",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2b-convert-tac-demo",
            title="Tailored product demos",
            description="Demo built around the prospect's own data and use case.",
            channel="Video call",
            media="owned",
        ),
        TacticPreset(
            key="b2b-convert-tac-case-studies",
            title="Industry case studies and references",
            description="Published case studies plus customers willing to take a call.",
            channel="Website",
            media="earned",
        ),
        TacticPreset(
            key="b2b-convert-tac-retargeting",
            title="Account retargeting during evaluation",
            description="Show proof points and reviews to target accounts with an open deal.",
            channel="LinkedIn",
            media="paid",
        ),
    ),
    primary_kpi_key="b2b-convert-won-deals",
)

_B2B_ENGAGE = StagePreset(
    stage="engage",
    aim=_AIMS["engage"],
    guidance=(
        "In B2B most of a customer's value comes after the first contract, through renewals "
        "and expansion. Make sure new customers get value quickly, keep in touch through "
        "onboarding, support and quarterly business reviews, and spot accounts at risk early. "
        "Satisfied customers become case studies and referrals that help Reach and Convert."
    ),
    opportunity_hint=(
        "e.g. 85 % of contracts renew; nobody contacts customers between signing and renewal."
    ),
    strategy_hint=(
        "e.g. Structured onboarding, quarterly business reviews and a customer community."
    ),
    actions_hint=(
        "e.g. QBR for every top-20 account (account managers); health score in CRM by Q3."
    ),
    kpis=(
        KPIPreset(
            key="b2b-engage-renewals",
            name="Renewals",
            unit="count",
            direction="up",
            definition="Contracts renewed in the period",
        ),
        KPIPreset(
            key="b2b-engage-renewal-rate",
            name="Renewal rate",
            unit="percent",
            direction="up",
            definition="Contracts renewed ÷ contracts up for renewal",
        ),
        KPIPreset(
            key="b2b-engage-churn-rate",
            name="Churn rate",
            unit="percent",
            direction="down",
            definition="Customers lost ÷ customers at the start of the period",
        ),
        KPIPreset(
            key="b2b-engage-customer-lifetime-value",
            name="Customer lifetime value",
            unit="currency",
            direction="up",
            definition="Average annual contract value × customer lifespan in years",
        ),
        KPIPreset(
            key="b2b-engage-referrals",
            name="Referrals",
            unit="count",
            direction="up",
            definition="New opportunities referred by existing customers",
        ),
    ),
    objectives=(
        ObjectivePreset(
            key="b2b-engage-obj-renewals",
            title="Increase renewals by 20 % over the next 12 months",
            description="Onboarding check-ins and quarterly reviews for every account.",
            kpi_key="b2b-engage-renewals",
        ),
        ObjectivePreset(
            key="b2b-engage-obj-churn",
            title="Keep annual churn below 8 % this year",
            description="Flag at-risk accounts from usage data and act within a week.",
            kpi_key="b2b-engage-churn-rate",
        ),
        ObjectivePreset(
            key="b2b-engage-obj-referrals",
            title="Get 10 customer referrals per quarter by Q3",
            description="Ask happy customers after a successful review; thank them visibly.",
            kpi_key="b2b-engage-referrals",
        ),
    ),
    tactics=(
        TacticPreset(
            key="b2b-engage-tac-qbr",
            title="Quarterly business reviews",
            description="Review results, goals and roadmap with each key account.",
            channel="Video call",
            media="owned",
        ),
        TacticPreset(
            key="b2b-engage-tac-customer-newsletter",
            title="Customer newsletter with tips and releases",
            description="Monthly e-mail that helps customers get more out of the product.",
            channel="Email",
            media="owned",
        ),
        TacticPreset(
            key="b2b-engage-tac-reviews",
            title="Review platform campaign",
            description="Invite satisfied users to review us on software review sites.",
            channel="Review sites",
            media="earned",
        ),
    ),
    primary_kpi_key="b2b-engage-renewals",
)


PRESETS: dict[str, dict[str, StagePreset]] = {
    "b2c": {
        "plan": _B2C_PLAN,
        "reach": _B2C_REACH,
        "act": _B2C_ACT,
        "convert": _B2C_CONVERT,
        "engage": _B2C_ENGAGE,
    },
    "b2b": {
        "plan": _B2B_PLAN,
        "reach": _B2B_REACH,
        "act": _B2B_ACT,
        "convert": _B2B_CONVERT,
        "engage": _B2B_ENGAGE,
    },
}

_KPIS_BY_KEY: dict[str, KPIPreset] = {
    kpi.key: kpi for stages in PRESETS.values() for preset in stages.values() for kpi in preset.kpis
}


def stage_preset(audience: str, stage: str) -> StagePreset:
    """Return the preset for an audience ("b2c"/"b2b") and stage; KeyError if unknown."""
    return PRESETS[audience][stage]


def kpi_preset(key: str) -> KPIPreset:
    """Return the KPI preset with this key, across all audiences; KeyError if unknown."""
    return _KPIS_BY_KEY[key]
