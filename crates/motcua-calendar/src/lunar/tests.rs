//! Tests of the lunar calendar against a reference table.

use super::*;
use time::Month;

/// `(year, Tết month, Tết day, Hùng Kings month, Hùng Kings day)` for 1901–2100.
///
/// Source: generated once (not at build time) from the open-source Python package `holidays`
/// 0.109 (MIT licence), `holidays.calendars.chinese._ChineseLunisolar(VIETNAMESE_CALENDAR)`:
/// `lunar_new_year_date(y)` and `hung_kings_date(y)`. That package tabulates the Chinese
/// calendar dates and corrects the years where the Vietnamese (UTC+7) calendar differs,
/// e.g. 1985 (21 January; China 20 February), 2007 (17 February; China 18 February) and
/// 2030 (2 February; China 3 February), which agree with the published Vietnamese tables.
const REFERENCE: &[(i32, u8, u8, u8, u8)] = &[
    (1901, 2, 19, 4, 28),
    (1902, 2, 8, 4, 17),
    (1903, 1, 28, 4, 7),
    (1904, 2, 16, 4, 25),
    (1905, 2, 4, 4, 14),
    (1906, 1, 25, 4, 3),
    (1907, 2, 13, 4, 22),
    (1908, 2, 2, 4, 10),
    (1909, 1, 22, 4, 29),
    (1910, 2, 10, 4, 19),
    (1911, 1, 30, 4, 8),
    (1912, 2, 18, 4, 26),
    (1913, 2, 6, 4, 16),
    (1914, 1, 26, 4, 5),
    (1915, 2, 14, 4, 23),
    (1916, 2, 3, 4, 11),
    (1917, 1, 23, 4, 1),
    (1918, 2, 11, 4, 20),
    (1919, 2, 1, 4, 10),
    (1920, 2, 20, 4, 28),
    (1921, 2, 8, 4, 17),
    (1922, 1, 28, 4, 6),
    (1923, 2, 16, 4, 25),
    (1924, 2, 5, 4, 13),
    (1925, 1, 24, 4, 2),
    (1926, 2, 13, 4, 21),
    (1927, 2, 2, 4, 11),
    (1928, 1, 23, 4, 29),
    (1929, 2, 10, 4, 19),
    (1930, 1, 30, 4, 8),
    (1931, 2, 17, 4, 27),
    (1932, 2, 6, 4, 15),
    (1933, 1, 26, 4, 4),
    (1934, 2, 14, 4, 23),
    (1935, 2, 3, 4, 12),
    (1936, 1, 24, 4, 1),
    (1937, 2, 11, 4, 20),
    (1938, 1, 31, 4, 10),
    (1939, 2, 19, 4, 28),
    (1940, 2, 8, 4, 17),
    (1941, 1, 27, 4, 6),
    (1942, 2, 15, 4, 24),
    (1943, 2, 5, 4, 14),
    (1944, 1, 25, 4, 2),
    (1945, 2, 13, 4, 21),
    (1946, 2, 2, 4, 11),
    (1947, 1, 22, 4, 30),
    (1948, 2, 10, 4, 18),
    (1949, 1, 29, 4, 7),
    (1950, 2, 17, 4, 26),
    (1951, 2, 6, 4, 15),
    (1952, 1, 27, 4, 4),
    (1953, 2, 14, 4, 23),
    (1954, 2, 3, 4, 12),
    (1955, 1, 24, 4, 2),
    (1956, 2, 12, 4, 20),
    (1957, 1, 31, 4, 9),
    (1958, 2, 18, 4, 28),
    (1959, 2, 8, 4, 17),
    (1960, 1, 28, 4, 5),
    (1961, 2, 15, 4, 24),
    (1962, 2, 5, 4, 14),
    (1963, 1, 25, 4, 3),
    (1964, 2, 13, 4, 21),
    (1965, 2, 1, 4, 11),
    (1966, 1, 21, 3, 31),
    (1967, 2, 9, 4, 19),
    (1968, 1, 29, 4, 7),
    (1969, 2, 16, 4, 26),
    (1970, 2, 6, 4, 15),
    (1971, 1, 27, 4, 5),
    (1972, 2, 15, 4, 23),
    (1973, 2, 3, 4, 12),
    (1974, 1, 23, 4, 2),
    (1975, 2, 11, 4, 20),
    (1976, 1, 31, 4, 9),
    (1977, 2, 18, 4, 27),
    (1978, 2, 7, 4, 16),
    (1979, 1, 28, 4, 6),
    (1980, 2, 16, 4, 24),
    (1981, 2, 5, 4, 14),
    (1982, 1, 25, 4, 3),
    (1983, 2, 13, 4, 22),
    (1984, 2, 2, 4, 10),
    (1985, 1, 21, 4, 29),
    (1986, 2, 9, 4, 18),
    (1987, 1, 29, 4, 7),
    (1988, 2, 17, 4, 25),
    (1989, 2, 6, 4, 15),
    (1990, 1, 27, 4, 5),
    (1991, 2, 15, 4, 24),
    (1992, 2, 4, 4, 12),
    (1993, 1, 23, 4, 1),
    (1994, 2, 10, 4, 20),
    (1995, 1, 31, 4, 9),
    (1996, 2, 19, 4, 27),
    (1997, 2, 7, 4, 16),
    (1998, 1, 28, 4, 6),
    (1999, 2, 16, 4, 25),
    (2000, 2, 5, 4, 14),
    (2001, 1, 24, 4, 3),
    (2002, 2, 12, 4, 22),
    (2003, 2, 1, 4, 11),
    (2004, 1, 22, 4, 28),
    (2005, 2, 9, 4, 18),
    (2006, 1, 29, 4, 7),
    (2007, 2, 17, 4, 26),
    (2008, 2, 7, 4, 15),
    (2009, 1, 26, 4, 4),
    (2010, 2, 14, 4, 23),
    (2011, 2, 3, 4, 12),
    (2012, 1, 23, 3, 31),
    (2013, 2, 10, 4, 19),
    (2014, 1, 31, 4, 9),
    (2015, 2, 19, 4, 28),
    (2016, 2, 8, 4, 16),
    (2017, 1, 28, 4, 6),
    (2018, 2, 16, 4, 25),
    (2019, 2, 5, 4, 14),
    (2020, 1, 25, 4, 2),
    (2021, 2, 12, 4, 21),
    (2022, 2, 1, 4, 10),
    (2023, 1, 22, 4, 29),
    (2024, 2, 10, 4, 18),
    (2025, 1, 29, 4, 7),
    (2026, 2, 17, 4, 26),
    (2027, 2, 6, 4, 16),
    (2028, 1, 26, 4, 4),
    (2029, 2, 13, 4, 23),
    (2030, 2, 2, 4, 12),
    (2031, 1, 23, 4, 1),
    (2032, 2, 11, 4, 19),
    (2033, 1, 31, 4, 9),
    (2034, 2, 19, 4, 28),
    (2035, 2, 8, 4, 17),
    (2036, 1, 28, 4, 6),
    (2037, 2, 15, 4, 24),
    (2038, 2, 4, 4, 13),
    (2039, 1, 24, 4, 3),
    (2040, 2, 12, 4, 20),
    (2041, 2, 1, 4, 10),
    (2042, 1, 22, 4, 29),
    (2043, 2, 10, 4, 19),
    (2044, 1, 30, 4, 7),
    (2045, 2, 17, 4, 26),
    (2046, 2, 6, 4, 15),
    (2047, 1, 26, 4, 4),
    (2048, 2, 14, 4, 22),
    (2049, 2, 2, 4, 11),
    (2050, 1, 23, 4, 1),
    (2051, 2, 11, 4, 20),
    (2052, 2, 1, 4, 9),
    (2053, 2, 18, 4, 28),
    (2054, 2, 8, 4, 17),
    (2055, 1, 28, 4, 6),
    (2056, 2, 15, 4, 24),
    (2057, 2, 4, 4, 13),
    (2058, 1, 24, 4, 2),
    (2059, 2, 12, 4, 21),
    (2060, 2, 2, 4, 10),
    (2061, 1, 21, 3, 31),
    (2062, 2, 9, 4, 19),
    (2063, 1, 29, 4, 8),
    (2064, 2, 17, 4, 26),
    (2065, 2, 5, 4, 15),
    (2066, 1, 26, 4, 4),
    (2067, 2, 14, 4, 23),
    (2068, 2, 3, 4, 11),
    (2069, 1, 23, 4, 1),
    (2070, 2, 11, 4, 20),
    (2071, 1, 31, 4, 9),
    (2072, 2, 19, 4, 27),
    (2073, 2, 7, 4, 16),
    (2074, 1, 27, 4, 5),
    (2075, 2, 15, 4, 24),
    (2076, 2, 5, 4, 13),
    (2077, 1, 24, 4, 2),
    (2078, 2, 12, 4, 21),
    (2079, 2, 2, 4, 11),
    (2080, 1, 22, 3, 30),
    (2081, 2, 9, 4, 18),
    (2082, 1, 29, 4, 7),
    (2083, 2, 17, 4, 26),
    (2084, 2, 6, 4, 14),
    (2085, 1, 26, 4, 3),
    (2086, 2, 14, 4, 22),
    (2087, 2, 3, 4, 12),
    (2088, 1, 24, 4, 1),
    (2089, 2, 10, 4, 20),
    (2090, 1, 30, 4, 9),
    (2091, 2, 18, 4, 28),
    (2092, 2, 7, 4, 16),
    (2093, 1, 27, 4, 5),
    (2094, 2, 15, 4, 24),
    (2095, 2, 5, 4, 13),
    (2096, 1, 25, 4, 2),
    (2097, 2, 12, 4, 21),
    (2098, 2, 1, 4, 11),
    (2099, 1, 21, 4, 29),
    (2100, 2, 9, 4, 18),
];

fn d(y: i32, m: u8, day: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).unwrap(), day).unwrap()
}

fn l(year: i32, month: u8, day: u8, leap: bool) -> LunarDate {
    LunarDate {
        year,
        month,
        day,
        leap,
    }
}

#[test]
fn tet_and_hung_kings_1901_2100_match_reference() {
    let mut bad = Vec::new();
    for &(y, tm, td, hm, hd) in REFERENCE {
        let tet = from_lunar(l(y, 1, 1, false)).unwrap();
        let hung = from_lunar(l(y, 3, 10, false)).unwrap();
        if tet != d(y, tm, td) || hung != d(y, hm, hd) {
            bad.push((y, tet, hung));
        }
        assert_eq!(
            to_lunar(d(y, tm, td)).unwrap(),
            l(y, 1, 1, false),
            "to_lunar Tết {y}"
        );
        assert_eq!(
            to_lunar(d(y, hm, hd)).unwrap(),
            l(y, 3, 10, false),
            "to_lunar Hùng {y}"
        );
    }
    assert!(bad.is_empty(), "differences: {bad:?}");
}

#[test]
fn vietnam_differs_from_china() {
    assert_eq!(from_lunar(l(1985, 1, 1, false)).unwrap(), d(1985, 1, 21));
    assert_eq!(from_lunar(l(2007, 1, 1, false)).unwrap(), d(2007, 2, 17));
    assert_eq!(from_lunar(l(2030, 1, 1, false)).unwrap(), d(2030, 2, 2));
}

#[test]
fn leap_months() {
    for (y, m) in [
        (2020, Some(4)),
        (2023, Some(2)),
        (2025, Some(6)),
        (2017, Some(6)),
        (2012, Some(4)),
        (2028, Some(5)),
    ] {
        assert_eq!(leap_month(y).unwrap(), m, "{y}");
    }
    for y in [2021, 2022, 2024, 2026, 2027] {
        assert_eq!(leap_month(y).unwrap(), None, "{y}");
    }
    // 2023: leap 2nd month began 22 March 2023.
    assert_eq!(from_lunar(l(2023, 2, 1, true)).unwrap(), d(2023, 3, 22));
    assert_eq!(to_lunar(d(2023, 3, 22)).unwrap(), l(2023, 2, 1, true));
    // 2020: leap 4th month began 23 May 2020; 2025: leap 6th month began 25 July 2025.
    assert_eq!(from_lunar(l(2020, 4, 1, true)).unwrap(), d(2020, 5, 23));
    assert_eq!(from_lunar(l(2025, 6, 1, true)).unwrap(), d(2025, 7, 25));
}

#[test]
fn nonexistent_leap_month_is_an_error() {
    let e = from_lunar(l(2024, 4, 1, true)).unwrap_err();
    assert!(
        matches!(
            e,
            CalendarError::NoSuchLeapMonth {
                year: 2024,
                month: 4,
                ..
            }
        ),
        "{e}"
    );
    let e = from_lunar(l(2023, 3, 1, true)).unwrap_err();
    assert!(e.to_string().contains("month 2"), "{e}");
}

#[test]
fn invalid_and_out_of_range() {
    assert!(matches!(
        from_lunar(l(2024, 13, 1, false)),
        Err(CalendarError::InvalidLunarDate { .. })
    ));
    assert!(matches!(
        from_lunar(l(2024, 1, 0, false)),
        Err(CalendarError::InvalidLunarDate { .. })
    ));
    assert!(matches!(
        from_lunar(l(1700, 1, 1, false)),
        Err(CalendarError::LunarOutOfRange { .. })
    ));
    assert!(matches!(
        from_lunar(l(i32::MAX, 1, 1, false)),
        Err(CalendarError::LunarOutOfRange { .. })
    ));
    assert!(matches!(
        to_lunar(d(1799, 12, 31)),
        Err(CalendarError::LunarOutOfRange { .. })
    ));
    assert!(matches!(
        to_lunar(d(2201, 1, 1)),
        Err(CalendarError::LunarOutOfRange { .. })
    ));
    assert!(to_lunar(d(1800, 1, 1)).is_ok());
    assert!(to_lunar(d(2200, 12, 31)).is_ok());
    // A 29-day month has no day 30.
    let mut found29 = false;
    for m in 1..=12 {
        if from_lunar(l(2024, m, 30, false)).is_err() {
            found29 = true;
        }
    }
    assert!(found29);
}

#[test]
fn round_trip_every_day_1800_2200() {
    let mut jdn = FIRST_JDN;
    while jdn <= LAST_JDN {
        let date = Date::from_julian_day(jdn as i32).unwrap();
        let lunar = to_lunar(date).unwrap();
        assert!(
            (1..=30).contains(&lunar.day) && (1..=12).contains(&lunar.month),
            "{date} -> {lunar}"
        );
        assert_eq!(from_lunar(lunar).unwrap(), date, "{date} -> {lunar}");
        jdn += 17; // sample every 17th day to keep the test fast
    }
}

#[test]
fn tet_table_equals_astronomy() {
    // The shipped table of Tết and lunar 3/1 is exactly what the astronomy computes.
    for y in 1800..=2200 {
        assert_eq!(tet_and_month3(y), tet_and_month3_computed(y), "year {y}");
    }
    assert_eq!(tet_and_month3(1799), tet_and_month3_computed(1799));
}
