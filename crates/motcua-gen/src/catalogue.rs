//! The procedure catalogue: about twenty real procedures of a province with their legal time
//! limits, plus the knobs that shape their dossiers (volume, online uptake, lateness…).
//!
//! Time limits follow the laws as best known (Luật Hộ tịch 2014 and Decree 123/2015 for civil
//! status, Decree 23/2015 for certification, Decree 01/2021 for business registration, Luật Lý
//! lịch tư pháp 2009, Luật Xây dựng 2014 amended 2020, Decree 152/2020 for work permits, the Land
//! Law 2024 and Decree 101/2024 for land registration). Procedure codes are in the national format
//! but illustrative: they are not guaranteed to match the national database.

use crate::units::{self, UnitSpec};
use motcua_core::{
    Fee, Level, OnlineService, Procedure, ProcedureCode, StepSpec, SupplementPolicy, TimeLimit,
    UnitId,
};
use time::macros::time;

/// One workflow step.
pub(crate) struct StepDef {
    pub id: &'static str,
    pub name: &'static str,
    pub share: u8,
    /// The agency handling the step when fixed; `None`: the receiving unit.
    pub unit: Option<&'static str>,
}

const fn step(
    id: &'static str,
    name: &'static str,
    share: u8,
    unit: Option<&'static str>,
) -> StepDef {
    StepDef {
        id,
        name,
        share,
        unit,
    }
}

/// A procedure and how its dossiers behave.
pub(crate) struct ProcDef {
    pub code: &'static str,
    pub name: &'static str,
    pub field: &'static str,
    /// The level before the 2025 reform; district procedures move to communes from 2026.
    pub level: Level,
    /// The one department receiving it (department procedures); `None`: every unit of the level.
    pub department: Option<&'static str>,
    pub limit: TimeLimit,
    pub policy: SupplementPolicy,
    pub payment_pauses_clock: bool,
    pub online: OnlineService,
    pub result_is_document: bool,
    pub fees: &'static [(&'static str, u64)],
    pub steps: &'static [StepDef],
    /// Relative yearly volume.
    pub volume: f64,
    /// Multiplier of the unit's online propensity.
    pub online_factor: f64,
    /// Share of non-online dossiers sent by post.
    pub postal: f64,
    /// Base probability of finishing late.
    pub late: f64,
    /// The step that takes the blame when late.
    pub late_step: usize,
    /// Probability of a supplement round.
    pub supplement: f64,
    /// A financial obligation determined during processing: amount range in VND and the step
    /// after which it is requested.
    pub obligation: Option<(u64, u64, usize)>,
    /// An extension allowed by law: legal basis and extra working days.
    pub extension: Option<(&'static str, u32)>,
    /// What applicants are asked to supplement.
    pub supplement_reasons: &'static [&'static str],
}

const SAME_DAY: TimeLimit = TimeLimit::SameDay {
    cutoff: time!(15:00),
};

const CIVIL: &[&str] = &[
    "Bổ sung bản sao giấy tờ chứng minh nhân thân",
    "Tờ khai chưa ghi đầy đủ thông tin theo mẫu",
    "Bổ sung giấy tờ chứng minh nơi cư trú",
];
const BUILDING: &[&str] = &[
    "Bản vẽ thiết kế chưa đúng quy định, đề nghị điều chỉnh",
    "Bổ sung bản sao giấy chứng nhận quyền sử dụng đất",
    "Bổ sung văn bản thẩm duyệt phòng cháy chữa cháy",
];
const LAND: &[&str] = &[
    "Bổ sung giấy tờ về nguồn gốc sử dụng đất",
    "Bổ sung sơ đồ thửa đất, trích đo địa chính",
    "Bổ sung văn bản xác nhận không tranh chấp",
];
const BUSINESS: &[&str] = &[
    "Điều lệ công ty chưa đúng quy định",
    "Bổ sung danh sách thành viên, cổ đông sáng lập",
    "Tên doanh nghiệp trùng hoặc gây nhầm lẫn, đề nghị điều chỉnh",
];
const GENERIC: &[&str] = &[
    "Thành phần hồ sơ chưa đầy đủ theo quy định",
    "Bổ sung bản sao có chứng thực",
    "Thông tin trong hồ sơ chưa thống nhất, đề nghị điều chỉnh",
];

const HOUSE_PERMIT_STEPS: &[StepDef] = &[
    step("tham_dinh", "Thẩm định hồ sơ, kiểm tra thực địa", 70, None),
    step("trinh_ky", "Trình ký, cấp giấy phép", 30, None),
];

const LAND_FIRST_STEPS: &[StepDef] = &[
    step(
        "kiem_tra",
        "Kiểm tra hồ sơ, xác nhận hiện trạng, trích đo",
        40,
        Some(units::VPDKDD),
    ),
    step(
        "thue",
        "Xác định nghĩa vụ tài chính",
        15,
        Some(units::CUC_THUE),
    ),
    step("tham_dinh", "Thẩm định, trình ký", 25, None),
    step("ky_cap", "Ký cấp Giấy chứng nhận", 20, None),
];

const LAND_TRANSFER_STEPS: &[StepDef] = &[
    step(
        "kiem_tra",
        "Kiểm tra hồ sơ, chỉnh lý biến động",
        50,
        Some(units::VPDKDD),
    ),
    step(
        "thue",
        "Xác định nghĩa vụ tài chính",
        20,
        Some(units::CUC_THUE),
    ),
    step(
        "cap_nhat",
        "Cập nhật, xác nhận biến động",
        30,
        Some(units::VPDKDD),
    ),
];

const WORKS_PERMIT_STEPS: &[StepDef] = &[
    step(
        "tham_dinh",
        "Thẩm định hồ sơ, lấy ý kiến cơ quan liên quan",
        70,
        None,
    ),
    step("trinh_ky", "Trình lãnh đạo Sở ký giấy phép", 30, None),
];

const ENV_PERMIT_STEPS: &[StepDef] = &[
    step("tham_dinh", "Thẩm định, kiểm tra thực tế", 80, None),
    step(
        "phe_duyet",
        "UBND tỉnh ký cấp giấy phép",
        20,
        Some(units::PROVINCE),
    ),
];

const FOOD_SAFETY_STEPS: &[StepDef] = &[
    step(
        "tham_dinh",
        "Thẩm định hồ sơ, thẩm định thực tế cơ sở",
        80,
        None,
    ),
    step("cap_giay", "Cấp Giấy chứng nhận", 20, None),
];

/// The catalogue definitions, in a fixed order.
pub(crate) fn definitions() -> Vec<ProcDef> {
    use Level::{Commune, Department, District};
    use OnlineService::{Full, None as NotOnline, Partial};
    use SupplementPolicy::{Pause, Restart};
    vec![
        // ---- Commune level: civil status and certification ----
        ProcDef {
            code: "1.001193",
            name: "Đăng ký khai sinh",
            field: "Hộ tịch",
            level: Commune,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[],
            steps: &[],
            volume: 8.0,
            online_factor: 0.95,
            postal: 0.0,
            late: 0.004,
            late_step: 0,
            supplement: 0.026,
            obligation: None,
            extension: None,
            supplement_reasons: CIVIL,
        },
        ProcDef {
            code: "1.000656",
            name: "Đăng ký khai tử",
            field: "Hộ tịch",
            level: Commune,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[],
            steps: &[],
            volume: 2.0,
            online_factor: 0.7,
            postal: 0.0,
            late: 0.004,
            late_step: 0,
            supplement: 0.026,
            obligation: None,
            extension: None,
            supplement_reasons: CIVIL,
        },
        ProcDef {
            code: "1.000894",
            name: "Đăng ký kết hôn",
            field: "Hộ tịch",
            level: Commune,
            department: None,
            limit: TimeLimit::WorkingDays(5),
            policy: Restart,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[],
            steps: &[],
            volume: 3.0,
            online_factor: 0.6,
            postal: 0.0,
            late: 0.006,
            late_step: 0,
            supplement: 0.104,
            obligation: None,
            extension: None,
            supplement_reasons: CIVIL,
        },
        ProcDef {
            code: "1.004873",
            name: "Cấp Giấy xác nhận tình trạng hôn nhân",
            field: "Hộ tịch",
            level: Commune,
            department: None,
            limit: TimeLimit::WorkingDays(3),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí cấp giấy xác nhận tình trạng hôn nhân", 15_000)],
            steps: &[],
            volume: 5.0,
            online_factor: 1.0,
            postal: 0.0,
            late: 0.012,
            late_step: 0,
            supplement: 0.104,
            obligation: None,
            extension: None,
            supplement_reasons: CIVIL,
        },
        ProcDef {
            code: "2.000635",
            name: "Cấp bản sao trích lục hộ tịch",
            field: "Hộ tịch",
            level: Commune,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Phí cấp bản sao trích lục hộ tịch", 8_000)],
            steps: &[],
            volume: 3.0,
            online_factor: 1.0,
            postal: 0.02,
            late: 0.004,
            late_step: 0,
            supplement: 0.013,
            obligation: None,
            extension: None,
            supplement_reasons: CIVIL,
        },
        ProcDef {
            code: "2.000815",
            name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
            field: "Chứng thực",
            level: Commune,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[("Phí chứng thực bản sao (2.000 đồng/trang)", 6_000)],
            steps: &[],
            volume: 26.0,
            online_factor: 0.42,
            postal: 0.0,
            late: 0.002,
            late_step: 0,
            supplement: 0.007,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "2.000884",
            name: "Chứng thực chữ ký trong các giấy tờ, văn bản",
            field: "Chứng thực",
            level: Commune,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: NotOnline,
            result_is_document: true,
            fees: &[("Phí chứng thực chữ ký", 10_000)],
            steps: &[],
            volume: 5.0,
            online_factor: 0.0,
            postal: 0.0,
            late: 0.002,
            late_step: 0,
            supplement: 0.007,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        // ---- District level (communes from 2026) ----
        ProcDef {
            code: "1.009994",
            name: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            field: "Hoạt động xây dựng",
            level: District,
            department: None,
            limit: TimeLimit::WorkingDays(15),
            policy: Restart,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[("Lệ phí cấp giấy phép xây dựng nhà ở riêng lẻ", 75_000)],
            steps: HOUSE_PERMIT_STEPS,
            volume: 3.0,
            online_factor: 0.75,
            postal: 0.0,
            late: 0.05,
            late_step: 0,
            supplement: 0.325,
            obligation: None,
            extension: Some((
                "Khoản 2 Điều 102 Luật Xây dựng 2014 (sửa đổi 2020): cần xem xét thêm, gia hạn không quá 10 ngày",
                10,
            )),
            supplement_reasons: BUILDING,
        },
        ProcDef {
            code: "2.000720",
            name: "Đăng ký thành lập hộ kinh doanh",
            field: "Thành lập và hoạt động của hộ kinh doanh",
            level: District,
            department: None,
            limit: TimeLimit::WorkingDays(3),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí đăng ký hộ kinh doanh", 100_000)],
            steps: &[],
            volume: 4.0,
            online_factor: 0.95,
            postal: 0.0,
            late: 0.01,
            late_step: 0,
            supplement: 0.156,
            obligation: None,
            extension: None,
            supplement_reasons: BUSINESS,
        },
        ProcDef {
            code: "1.004227",
            name: "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
            field: "Đất đai",
            level: District,
            department: None,
            limit: TimeLimit::WorkingDays(20),
            policy: Restart,
            payment_pauses_clock: true,
            online: Partial,
            result_is_document: true,
            fees: &[],
            steps: LAND_FIRST_STEPS,
            volume: 2.0,
            online_factor: 0.55,
            postal: 0.0,
            late: 0.28,
            late_step: 0,
            supplement: 0.39,
            obligation: Some((2_000_000, 150_000_000, 1)),
            extension: None,
            supplement_reasons: LAND,
        },
        ProcDef {
            code: "1.003010",
            name: "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho",
            field: "Đất đai",
            level: District,
            department: None,
            limit: TimeLimit::WorkingDays(10),
            policy: Restart,
            payment_pauses_clock: true,
            online: Partial,
            result_is_document: true,
            fees: &[],
            steps: LAND_TRANSFER_STEPS,
            volume: 5.0,
            online_factor: 0.6,
            postal: 0.0,
            late: 0.15,
            late_step: 2,
            supplement: 0.26,
            obligation: Some((500_000, 80_000_000, 1)),
            extension: None,
            supplement_reasons: LAND,
        },
        ProcDef {
            code: "2.000908",
            name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của nước ngoài cấp",
            field: "Chứng thực",
            level: District,
            department: None,
            limit: SAME_DAY,
            policy: Restart,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[("Phí chứng thực bản sao (2.000 đồng/trang)", 4_000)],
            steps: &[],
            volume: 1.0,
            online_factor: 0.35,
            postal: 0.0,
            late: 0.003,
            late_step: 0,
            supplement: 0.013,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "2.000620",
            name: "Cấp Giấy phép bán lẻ rượu",
            field: "Lưu thông hàng hóa trong nước",
            level: District,
            department: None,
            limit: TimeLimit::WorkingDays(10),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Phí thẩm định cấp giấy phép bán lẻ rượu", 1_200_000)],
            steps: &[],
            volume: 0.5,
            online_factor: 0.9,
            postal: 0.02,
            late: 0.02,
            late_step: 0,
            supplement: 0.156,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        // ---- Department level ----
        ProcDef {
            code: "2.001610",
            name: "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
            field: "Thành lập và hoạt động doanh nghiệp",
            level: Department,
            department: Some(units::SKHDT),
            limit: TimeLimit::WorkingDays(3),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí đăng ký doanh nghiệp", 50_000)],
            steps: &[],
            volume: 4.0,
            online_factor: 1.0,
            postal: 0.1,
            late: 0.004,
            late_step: 0,
            supplement: 0.195,
            obligation: None,
            extension: None,
            supplement_reasons: BUSINESS,
        },
        ProcDef {
            code: "2.002014",
            name: "Đăng ký thay đổi nội dung đăng ký doanh nghiệp",
            field: "Thành lập và hoạt động doanh nghiệp",
            level: Department,
            department: Some(units::SKHDT),
            limit: TimeLimit::WorkingDays(3),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí đăng ký doanh nghiệp", 50_000)],
            steps: &[],
            volume: 6.0,
            online_factor: 1.0,
            postal: 0.1,
            late: 0.004,
            late_step: 0,
            supplement: 0.156,
            obligation: None,
            extension: None,
            supplement_reasons: BUSINESS,
        },
        ProcDef {
            code: "2.001417",
            name: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
            field: "Lý lịch tư pháp",
            level: Department,
            department: Some(units::STP),
            limit: TimeLimit::WorkingDays(10),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Phí cung cấp thông tin lý lịch tư pháp", 200_000)],
            steps: &[],
            volume: 5.0,
            online_factor: 0.95,
            postal: 0.15,
            late: 0.025,
            late_step: 0,
            supplement: 0.052,
            obligation: None,
            extension: Some((
                "Khoản 1 Điều 48 Luật Lý lịch tư pháp 2009: người đã cư trú ở nhiều nơi hoặc phải xác minh điều kiện đương nhiên được xóa án tích, không quá 15 ngày",
                5,
            )),
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "1.002809",
            name: "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
            field: "Đường bộ",
            level: Department,
            department: Some(units::SGTVT),
            limit: TimeLimit::WorkingDays(5),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí cấp đổi giấy phép lái xe", 135_000)],
            steps: &[],
            volume: 6.0,
            online_factor: 0.95,
            postal: 0.1,
            late: 0.01,
            late_step: 0,
            supplement: 0.039,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "1.009974",
            name: "Cấp giấy phép xây dựng mới đối với công trình không theo tuyến",
            field: "Hoạt động xây dựng",
            level: Department,
            department: Some(units::SXD),
            limit: TimeLimit::WorkingDays(20),
            policy: Pause,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[("Lệ phí cấp giấy phép xây dựng công trình", 150_000)],
            steps: WORKS_PERMIT_STEPS,
            volume: 0.8,
            online_factor: 0.8,
            postal: 0.0,
            late: 0.12,
            late_step: 0,
            supplement: 0.39,
            obligation: None,
            extension: Some((
                "Khoản 2 Điều 102 Luật Xây dựng 2014 (sửa đổi 2020): cần xem xét thêm, gia hạn không quá 10 ngày",
                10,
            )),
            supplement_reasons: BUILDING,
        },
        ProcDef {
            code: "1.000105",
            name: "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
            field: "Việc làm",
            level: Department,
            department: Some(units::SLDTBXH),
            limit: TimeLimit::WorkingDays(5),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Lệ phí cấp giấy phép lao động", 600_000)],
            steps: &[],
            volume: 2.0,
            online_factor: 1.0,
            postal: 0.05,
            late: 0.015,
            late_step: 0,
            supplement: 0.156,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "1.010730",
            name: "Cấp giấy phép môi trường",
            field: "Môi trường",
            level: Department,
            department: Some(units::STNMT),
            limit: TimeLimit::CalendarDays(30),
            policy: Pause,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[],
            steps: ENV_PERMIT_STEPS,
            volume: 0.7,
            online_factor: 0.9,
            postal: 0.0,
            late: 0.12,
            late_step: 1,
            supplement: 0.39,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "1.001045",
            name: "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            field: "An toàn thực phẩm",
            level: Department,
            department: Some(units::SYT),
            limit: TimeLimit::WorkingDays(20),
            policy: Restart,
            payment_pauses_clock: false,
            online: Partial,
            result_is_document: true,
            fees: &[("Phí thẩm định cấp giấy chứng nhận", 1_000_000)],
            steps: FOOD_SAFETY_STEPS,
            volume: 1.0,
            online_factor: 0.8,
            postal: 0.02,
            late: 0.05,
            late_step: 0,
            supplement: 0.195,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
        ProcDef {
            code: "2.000636",
            name: "Cấp Giấy xác nhận đủ điều kiện cửa hàng bán lẻ xăng dầu",
            field: "Kinh doanh khí và xăng dầu",
            level: Department,
            department: Some(units::SCT),
            limit: TimeLimit::WorkingDays(15),
            policy: Restart,
            payment_pauses_clock: false,
            online: Full,
            result_is_document: true,
            fees: &[("Phí thẩm định điều kiện kinh doanh xăng dầu", 1_200_000)],
            steps: &[],
            volume: 0.4,
            online_factor: 1.0,
            postal: 0.0,
            late: 0.04,
            late_step: 0,
            supplement: 0.26,
            obligation: None,
            extension: None,
            supplement_reasons: GENERIC,
        },
    ]
}

impl ProcDef {
    /// The handling level in `year`: district procedures move to communes from 2026.
    pub(crate) fn level_in(&self, year: i32) -> Level {
        if self.level == Level::District && !units::has_districts(year) {
            Level::Commune
        } else {
            self.level
        }
    }

    /// The core procedure, with `units` set to the receiving units.
    pub(crate) fn procedure(&self, year: i32, receivers: Vec<UnitId>) -> Procedure {
        Procedure {
            code: ProcedureCode::new(self.code),
            name: self.name.to_owned(),
            field: self.field.to_owned(),
            level: self.level_in(year),
            units: receivers,
            time_limit: self.limit,
            supplement_policy: self.policy,
            payment_pauses_clock: self.payment_pauses_clock,
            supplement_time_limit: None,
            online_service: self.online,
            result_is_document: self.result_is_document,
            fees: self
                .fees
                .iter()
                .map(|&(name, amount_vnd)| Fee {
                    name: name.to_owned(),
                    amount_vnd,
                })
                .collect(),
            steps: self
                .steps
                .iter()
                .map(|s| StepSpec {
                    id: s.id.to_owned(),
                    name: s.name.to_owned(),
                    share_percent: s.share,
                    unit: s.unit.map(UnitId::new),
                })
                .collect(),
        }
    }

    /// Indices (into `units`) of the units receiving this procedure in `year`.
    pub(crate) fn receivers(&self, year: i32, units: &[UnitSpec]) -> Vec<usize> {
        let level = self.level_in(year);
        units
            .iter()
            .enumerate()
            .filter(|(_, u)| match self.department {
                Some(code) => u.unit.id.as_str() == code,
                None => u.unit.level == level && u.profile.volume > 0.0,
            })
            .map(|(i, _)| i)
            .collect()
    }
}
