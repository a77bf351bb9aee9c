//! The unit tree of a synthetic Đồng Nai-like province, with a per-unit profile that shapes the
//! generated figures (volume, online propensity, lateness, dissatisfaction).
//!
//! Codes are synthetic, in the style of the national agency codes: `H19` for the province,
//! `H19.01`… for departments, `H19.20`… for districts and `H19.20.01`… for their communes
//! (years before 2026); `H19.X01`… for the merged communes directly under the province
//! (2026 and later).

use motcua_core::{Level, Unit, UnitId};

/// The province.
pub(crate) const PROVINCE: &str = "H19";
/// Sở Tư pháp.
pub(crate) const STP: &str = "H19.01";
/// Sở Kế hoạch và Đầu tư.
pub(crate) const SKHDT: &str = "H19.02";
/// Sở Xây dựng.
pub(crate) const SXD: &str = "H19.03";
/// Sở Tài nguyên và Môi trường.
pub(crate) const STNMT: &str = "H19.04";
/// Sở Giao thông vận tải.
pub(crate) const SGTVT: &str = "H19.05";
/// Sở Lao động – Thương binh và Xã hội.
pub(crate) const SLDTBXH: &str = "H19.06";
/// Sở Công Thương.
pub(crate) const SCT: &str = "H19.07";
/// Sở Y tế.
pub(crate) const SYT: &str = "H19.08";
/// Văn phòng Đăng ký đất đai (under Sở TN&MT): handles land steps, receives nothing itself.
pub(crate) const VPDKDD: &str = "H19.04.01";
/// Cục Thuế (a branch of a central agency): determines financial obligations on land.
pub(crate) const CUC_THUE: &str = "TCT.H19";

/// How a unit shapes its dossiers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Profile {
    /// Relative volume of dossiers among the units that may receive a procedure.
    pub volume: f64,
    /// Propensity of its applicants to file online (multiplied by the procedure's factor).
    pub online: f64,
    /// Multiplier of the procedure's base late probability.
    pub late: f64,
    /// Multiplier of the base dissatisfaction probability.
    pub unhappy: f64,
}

const fn profile(volume: f64, online: f64, late: f64, unhappy: f64) -> Profile {
    Profile {
        volume,
        online,
        late,
        unhappy,
    }
}

/// A unit with its profile.
#[derive(Clone, Debug)]
pub(crate) struct UnitSpec {
    pub unit: Unit,
    pub profile: Profile,
}

type Row = (&'static str, &'static str, Profile);

const DEPARTMENTS: [Row; 8] = [
    (
        STP,
        "Sở Tư pháp tỉnh Đồng Nai",
        profile(1.0, 0.93, 0.6, 0.6),
    ),
    (
        SKHDT,
        "Sở Kế hoạch và Đầu tư tỉnh Đồng Nai",
        profile(1.0, 0.98, 0.4, 0.5),
    ),
    (
        SXD,
        "Sở Xây dựng tỉnh Đồng Nai",
        profile(1.0, 0.62, 1.6, 1.8),
    ),
    (
        STNMT,
        "Sở Tài nguyên và Môi trường tỉnh Đồng Nai",
        profile(1.0, 0.85, 1.3, 1.2),
    ),
    (
        SGTVT,
        "Sở Giao thông vận tải tỉnh Đồng Nai",
        profile(1.0, 0.80, 0.8, 2.6),
    ),
    (
        SLDTBXH,
        "Sở Lao động – Thương binh và Xã hội tỉnh Đồng Nai",
        profile(1.0, 0.97, 0.5, 0.7),
    ),
    (
        SCT,
        "Sở Công Thương tỉnh Đồng Nai",
        profile(1.0, 0.90, 1.0, 1.0),
    ),
    (SYT, "Sở Y tế tỉnh Đồng Nai", profile(1.0, 0.70, 1.5, 1.4)),
];

/// Districts (before 2026) and their communes.
const DISTRICTS: [(Row, [Row; 4]); 5] = [
    (
        (
            "H19.20",
            "UBND thành phố Biên Hòa",
            profile(2.6, 0.95, 1.2, 1.0),
        ),
        [
            (
                "H19.20.01",
                "UBND phường Tân Phong",
                profile(1.3, 0.80, 0.7, 0.8),
            ),
            (
                "H19.20.02",
                "UBND phường Trảng Dài",
                profile(1.4, 0.60, 1.0, 1.0),
            ),
            (
                "H19.20.03",
                "UBND phường Long Bình",
                profile(1.2, 0.72, 0.8, 0.9),
            ),
            (
                "H19.20.04",
                "UBND xã Hiệp Hòa",
                profile(0.6, 0.45, 1.2, 1.1),
            ),
        ],
    ),
    (
        (
            "H19.21",
            "UBND thành phố Long Khánh",
            profile(1.0, 0.80, 0.12, 0.7),
        ),
        [
            (
                "H19.21.01",
                "UBND phường Xuân An",
                profile(0.8, 0.70, 0.6, 0.6),
            ),
            (
                "H19.21.02",
                "UBND phường Xuân Trung",
                profile(0.7, 0.66, 0.7, 0.7),
            ),
            (
                "H19.21.03",
                "UBND phường Bảo Vinh",
                profile(0.6, 0.52, 0.9, 1.0),
            ),
            (
                "H19.21.04",
                "UBND xã Bàu Trâm",
                profile(0.4, 0.34, 1.0, 1.2),
            ),
        ],
    ),
    (
        (
            "H19.22",
            "UBND huyện Nhơn Trạch",
            profile(1.3, 0.62, 1.8, 1.6),
        ),
        [
            (
                "H19.22.01",
                "UBND thị trấn Hiệp Phước",
                profile(0.9, 0.50, 1.2, 1.2),
            ),
            (
                "H19.22.02",
                "UBND xã Phước Thiền",
                profile(0.6, 0.40, 1.4, 1.4),
            ),
            (
                "H19.22.03",
                "UBND xã Long Tân",
                profile(0.5, 0.30, 2.6, 3.4),
            ),
            ("H19.22.04", "UBND xã Phú Hội", profile(0.5, 0.44, 1.0, 1.0)),
        ],
    ),
    (
        (
            "H19.23",
            "UBND huyện Trảng Bom",
            profile(1.5, 0.78, 0.5, 0.9),
        ),
        [
            (
                "H19.23.01",
                "UBND thị trấn Trảng Bom",
                profile(1.0, 0.75, 0.7, 0.7),
            ),
            ("H19.23.02", "UBND xã Bắc Sơn", profile(0.7, 0.55, 0.9, 0.9)),
            (
                "H19.23.03",
                "UBND xã Hố Nai 3",
                profile(0.9, 0.64, 0.8, 0.8),
            ),
            (
                "H19.23.04",
                "UBND xã Sông Trầu",
                profile(0.5, 0.38, 1.1, 1.3),
            ),
        ],
    ),
    (
        (
            "H19.24",
            "UBND huyện Long Thành",
            profile(1.4, 0.55, 1.5, 1.3),
        ),
        [
            (
                "H19.24.01",
                "UBND thị trấn Long Thành",
                profile(1.0, 0.62, 1.0, 1.0),
            ),
            (
                "H19.24.02",
                "UBND xã An Phước",
                profile(0.7, 0.48, 1.3, 1.2),
            ),
            (
                "H19.24.03",
                "UBND xã Long Đức",
                profile(0.6, 0.36, 1.8, 2.8),
            ),
            (
                "H19.24.04",
                "UBND xã Bình Sơn",
                profile(0.5, 0.30, 1.5, 1.5),
            ),
        ],
    ),
];

/// Communes directly under the province after the two-tier reform (2026 and later). The names
/// follow the merged units of 1 July 2025 around Biên Hòa, Long Khánh, Nhơn Trạch, Trảng Bom
/// and Long Thành; the selection is illustrative.
const MERGED_COMMUNES: [Row; 20] = [
    (
        "H19.X01",
        "UBND phường Trấn Biên",
        profile(1.6, 0.80, 0.7, 0.8),
    ),
    (
        "H19.X02",
        "UBND phường Biên Hòa",
        profile(1.5, 0.74, 0.9, 0.9),
    ),
    (
        "H19.X03",
        "UBND phường Tam Hiệp",
        profile(1.3, 0.70, 0.8, 0.8),
    ),
    (
        "H19.X04",
        "UBND phường Long Bình",
        profile(1.4, 0.66, 1.0, 1.0),
    ),
    (
        "H19.X05",
        "UBND phường Trảng Dài",
        profile(1.3, 0.58, 1.2, 1.1),
    ),
    (
        "H19.X06",
        "UBND phường Hố Nai",
        profile(1.1, 0.62, 0.9, 0.9),
    ),
    (
        "H19.X07",
        "UBND phường Long Khánh",
        profile(1.0, 0.72, 0.6, 0.6),
    ),
    (
        "H19.X08",
        "UBND phường Bảo Vinh",
        profile(0.7, 0.55, 0.8, 0.9),
    ),
    (
        "H19.X09",
        "UBND phường Xuân Lập",
        profile(0.6, 0.48, 1.0, 1.0),
    ),
    (
        "H19.X10",
        "UBND phường Hàng Gòn",
        profile(0.5, 0.40, 1.1, 1.2),
    ),
    (
        "H19.X11",
        "UBND xã Nhơn Trạch",
        profile(1.2, 0.52, 1.6, 1.5),
    ),
    ("H19.X12", "UBND xã Đại Phước", profile(0.7, 0.42, 1.8, 2.0)),
    ("H19.X13", "UBND xã Phước An", profile(0.6, 0.32, 2.4, 3.0)),
    ("H19.X14", "UBND xã Trảng Bom", profile(1.2, 0.70, 0.8, 0.8)),
    ("H19.X15", "UBND xã Bàu Hàm", profile(0.6, 0.45, 1.0, 1.1)),
    ("H19.X16", "UBND xã An Viễn", profile(0.6, 0.50, 0.9, 1.0)),
    (
        "H19.X17",
        "UBND xã Long Thành",
        profile(1.2, 0.60, 1.3, 1.2),
    ),
    ("H19.X18", "UBND xã An Phước", profile(0.7, 0.46, 1.3, 1.2)),
    ("H19.X19", "UBND xã Bình An", profile(0.5, 0.34, 1.6, 2.6)),
    (
        "H19.X20",
        "UBND xã Long Phước",
        profile(0.6, 0.38, 1.4, 1.4),
    ),
];

/// Whether the year's tree still has districts. Years up to 2025 keep them all year (the
/// generator does not split 2025 at 1 July); from 2026 communes sit directly under the province.
pub(crate) fn has_districts(year: i32) -> bool {
    year <= 2025
}

fn spec(row: &Row, level: Level, parent: Option<&str>) -> UnitSpec {
    let (code, name, profile) = *row;
    UnitSpec {
        unit: Unit {
            id: UnitId::new(code),
            name: name.to_owned(),
            level,
            parent: parent.map(UnitId::new),
        },
        profile,
    }
}

/// Every unit of the year's tree, parents before children.
pub(crate) fn unit_specs(year: i32) -> Vec<UnitSpec> {
    let none = profile(0.0, 0.0, 1.0, 1.0);
    let mut out = vec![spec(
        &(PROVINCE, "UBND tỉnh Đồng Nai", none),
        Level::Province,
        None,
    )];
    out.extend(
        DEPARTMENTS
            .iter()
            .map(|row| spec(row, Level::Department, Some(PROVINCE))),
    );
    out.push(spec(
        &(VPDKDD, "Văn phòng Đăng ký đất đai tỉnh Đồng Nai", none),
        Level::Department,
        Some(STNMT),
    ));
    out.push(spec(
        &(CUC_THUE, "Cục Thuế tỉnh Đồng Nai", none),
        Level::Ministry,
        None,
    ));
    if has_districts(year) {
        for (district, communes) in &DISTRICTS {
            out.push(spec(district, Level::District, Some(PROVINCE)));
            out.extend(
                communes
                    .iter()
                    .map(|c| spec(c, Level::Commune, Some(district.0))),
            );
        }
    } else {
        out.extend(
            MERGED_COMMUNES
                .iter()
                .map(|c| spec(c, Level::Commune, Some(PROVINCE))),
        );
    }
    out
}
