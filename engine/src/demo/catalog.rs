//! Static vocabulary of the demo mall: categories with their margins and seasons,
//! bilingual product nouns, brands and Korean regions.

/// A product category of the demo mall.
pub struct Category {
    pub name: &'static str,
    /// Typical gross margin (share of the list price).
    pub margin: f64,
    /// Median list price in KRW.
    pub median_price: f64,
    /// Relative demand by month, January first.
    pub months: [f64; 12],
    /// Demand multiplier during the gift run-up to Seollal and Chuseok.
    pub gifting: f64,
    /// Demand multiplier on 11.11 and Black Friday to Cyber Monday.
    pub mega_sale: f64,
    /// Share of delivered lines that come back.
    pub return_rate: f64,
    /// (Korean, English) product nouns.
    pub nouns: &'static [(&'static str, &'static str)],
}

pub const CATEGORIES: [Category; 7] = [
    Category {
        name: "fashion",
        margin: 0.55,
        median_price: 39_000.0,
        months: [1.1, 0.9, 1.0, 1.0, 0.95, 0.9, 0.85, 0.85, 1.0, 1.15, 1.3, 1.25],
        gifting: 1.0,
        mega_sale: 2.4,
        return_rate: 0.09,
        nouns: &[
            ("린넨 셔츠", "Linen Shirt"),
            ("울 코트", "Wool Coat"),
            ("니트 가디건", "Knit Cardigan"),
            ("와이드 슬랙스", "Wide Slacks"),
            ("데님 자켓", "Denim Jacket"),
            ("롱 패딩", "Long Padded Coat"),
            ("맨투맨", "Sweatshirt"),
            ("플리츠 스커트", "Pleated Skirt"),
            ("캔버스 스니커즈", "Canvas Sneakers"),
        ],
    },
    Category {
        name: "beauty",
        margin: 0.65,
        median_price: 24_000.0,
        months: [0.95, 0.95, 1.05, 1.05, 1.05, 1.1, 1.05, 1.0, 0.95, 0.95, 1.0, 1.05],
        gifting: 1.3,
        mega_sale: 2.2,
        return_rate: 0.03,
        nouns: &[
            ("수분 크림", "Hydrating Cream"),
            ("선크림", "Sunscreen"),
            ("쿠션 팩트", "Cushion Compact"),
            ("립 틴트", "Lip Tint"),
            ("클렌징 폼", "Cleansing Foam"),
            ("시트 마스크", "Sheet Mask"),
            ("비타민 세럼", "Vitamin Serum"),
        ],
    },
    Category {
        name: "food",
        margin: 0.28,
        median_price: 29_000.0,
        months: [1.2, 1.1, 0.9, 0.9, 0.95, 0.9, 0.9, 0.95, 1.2, 1.0, 0.95, 1.05],
        gifting: 4.0,
        mega_sale: 1.3,
        return_rate: 0.01,
        nouns: &[
            ("한우 선물세트", "Hanwoo Beef Gift Set"),
            ("제주 감귤", "Jeju Tangerines"),
            ("홍삼 정", "Red Ginseng Extract"),
            ("김 선물세트", "Seasoned Laver Gift Set"),
            ("전통 한과", "Traditional Hangwa Sweets"),
            ("유기농 쌀", "Organic Rice"),
            ("견과류 믹스", "Mixed Nuts"),
        ],
    },
    Category {
        name: "electronics",
        margin: 0.14,
        median_price: 89_000.0,
        months: [1.0, 0.95, 1.0, 0.95, 0.95, 1.0, 1.05, 1.0, 0.95, 0.95, 1.2, 1.2],
        gifting: 1.1,
        mega_sale: 2.8,
        return_rate: 0.04,
        nouns: &[
            ("무선 이어폰", "Wireless Earbuds"),
            ("보조 배터리", "Power Bank"),
            ("블루투스 스피커", "Bluetooth Speaker"),
            ("스마트 워치", "Smart Watch"),
            ("기계식 키보드", "Mechanical Keyboard"),
            ("고속 충전기", "Fast Charger"),
        ],
    },
    Category {
        name: "home",
        margin: 0.42,
        median_price: 32_000.0,
        months: [1.05, 1.0, 1.1, 1.05, 0.95, 0.9, 0.9, 0.9, 0.95, 1.0, 1.1, 1.2],
        gifting: 1.4,
        mega_sale: 1.8,
        return_rate: 0.03,
        nouns: &[
            ("극세사 이불", "Microfiber Duvet"),
            ("디퓨저", "Reed Diffuser"),
            ("머그컵 세트", "Mug Set"),
            ("수납 바구니", "Storage Basket"),
            ("무드등", "Mood Lamp"),
            ("주방 타월", "Kitchen Towels"),
        ],
    },
    Category {
        name: "kids",
        margin: 0.45,
        median_price: 27_000.0,
        months: [0.9, 0.9, 1.05, 1.05, 1.4, 0.95, 0.9, 0.9, 0.95, 0.95, 1.0, 1.25],
        gifting: 1.2,
        mega_sale: 1.9,
        return_rate: 0.04,
        nouns: &[
            ("블록 장난감", "Building Blocks"),
            ("그림책", "Picture Book"),
            ("유아 내복", "Toddler Pajamas"),
            ("아기 물티슈", "Baby Wipes"),
            ("퍼즐", "Jigsaw Puzzle"),
        ],
    },
    Category {
        name: "sports",
        margin: 0.35,
        median_price: 45_000.0,
        months: [0.8, 0.85, 1.0, 1.1, 1.2, 1.3, 1.3, 1.15, 1.0, 0.95, 0.8, 0.75],
        gifting: 1.0,
        mega_sale: 1.9,
        return_rate: 0.05,
        nouns: &[
            ("요가 매트", "Yoga Mat"),
            ("러닝화", "Running Shoes"),
            ("등산 배낭", "Hiking Backpack"),
            ("캠핑 의자", "Camping Chair"),
            ("아령 세트", "Dumbbell Set"),
            ("래시가드", "Rash Guard"),
        ],
    },
];

/// (Korean, English) adjectives that make product names distinct.
pub const STYLES: [(&str, &str); 10] = [
    ("프리미엄", "Premium"),
    ("데일리", "Daily"),
    ("오가닉", "Organic"),
    ("클래식", "Classic"),
    ("미니", "Mini"),
    ("시그니처", "Signature"),
    ("에센셜", "Essential"),
    ("빈티지", "Vintage"),
    ("라이트", "Light"),
    ("스페셜", "Special"),
];

pub const BRANDS: [&str; 12] =
    ["Haneul", "Sodam", "Maru", "Bom", "Daon", "Ieum", "Nuri", "Saebyeok", "Gaon", "Arum", "Doran", "Hana"];

/// Korean regions with their approximate share of online shoppers.
pub const REGIONS: [(&str, f64); 17] = [
    ("서울", 0.19),
    ("경기", 0.27),
    ("인천", 0.06),
    ("부산", 0.065),
    ("대구", 0.045),
    ("대전", 0.03),
    ("광주", 0.028),
    ("울산", 0.021),
    ("세종", 0.008),
    ("강원", 0.029),
    ("충북", 0.031),
    ("충남", 0.041),
    ("전북", 0.034),
    ("전남", 0.035),
    ("경북", 0.048),
    ("경남", 0.063),
    ("제주", 0.013),
];

/// Relative order intensity by hour of day (Korea Standard Time).
pub const HOURS: [f64; 24] = [
    2.2, 1.4, 0.8, 0.5, 0.4, 0.4, 0.6, 1.0, 1.6, 2.4, 3.2, 3.6, 3.9, 3.5, 3.3, 3.3, 3.3, 3.1, 3.0, 3.4, 4.1, 4.6, 4.4,
    3.4,
];

/// Relative order intensity by weekday, Monday first (Korean malls peak on Sunday
/// evening and Monday, dip on Friday and Saturday).
pub const WEEKDAYS: [f64; 7] = [1.12, 1.05, 1.0, 0.98, 0.9, 0.85, 1.1];
