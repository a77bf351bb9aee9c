//! Dossier status and its national portal (DVCQG) code.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a dossier stands in its lifecycle (*trạng thái hồ sơ*).
///
/// Each status maps both ways to the national portal's code 1–10.
///
/// ```
/// use motcua_core::Status;
/// assert_eq!(Status::Processing.national_code(), 4);
/// assert_eq!(Status::from_national_code(10), Some(Status::Returned));
/// assert_eq!(Status::from_national_code(11), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1 — submitted online, not yet received (*mới đăng ký*).
    Submitted,
    /// 2 — received; the receipt gives the due date (*được tiếp nhận*).
    Received,
    /// 3 — refused at reception (*không được tiếp nhận*).
    Refused,
    /// 4 — being processed (*đang xử lý*).
    Processing,
    /// 5 — waiting for the applicant to supplement (*yêu cầu bổ sung*).
    SupplementRequested,
    /// 6 — waiting for the applicant to pay a financial obligation (*thực hiện nghĩa vụ tài chính*).
    AwaitingPayment,
    /// 7 — withdrawn at the applicant's request (*công dân yêu cầu rút hồ sơ*).
    Withdrawn,
    /// 8 — processing stopped by the agency (*dừng xử lý*).
    Stopped,
    /// 9 — result ready (*đã xử lý xong*).
    ResultReady,
    /// 10 — result returned to the applicant (*đã trả kết quả*).
    Returned,
}

impl Status {
    /// Every status, in national-code order.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::Withdrawn,
        Status::Stopped,
        Status::ResultReady,
        Status::Returned,
    ];

    /// The national portal's status code, 1–10.
    pub const fn national_code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::Refused => 3,
            Status::Processing => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingPayment => 6,
            Status::Withdrawn => 7,
            Status::Stopped => 8,
            Status::ResultReady => 9,
            Status::Returned => 10,
        }
    }

    /// The status for a national portal code, `None` outside 1–10.
    pub const fn from_national_code(code: u8) -> Option<Status> {
        match code {
            1..=10 => Some(Status::ALL[code as usize - 1]),
            _ => None,
        }
    }

    /// True once nothing more is done on the dossier except returning a result or rating:
    /// refused, withdrawn, stopped, result ready or returned.
    pub const fn is_finished(self) -> bool {
        matches!(
            self,
            Status::Refused
                | Status::Withdrawn
                | Status::Stopped
                | Status::ResultReady
                | Status::Returned
        )
    }

    /// The status's name in English, as used in reports.
    pub const fn label(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::SupplementRequested => "supplement requested",
            Status::AwaitingPayment => "awaiting payment",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::ResultReady => "result ready",
            Status::Returned => "returned",
        }
    }

    /// The status's name in Vietnamese.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "mới đăng ký",
            Status::Received => "được tiếp nhận",
            Status::Refused => "không được tiếp nhận",
            Status::Processing => "đang xử lý",
            Status::SupplementRequested => "yêu cầu bổ sung",
            Status::AwaitingPayment => "thực hiện nghĩa vụ tài chính",
            Status::Withdrawn => "rút hồ sơ",
            Status::Stopped => "dừng xử lý",
            Status::ResultReady => "đã xử lý xong",
            Status::Returned => "đã trả kết quả",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_codes_round_trip() {
        for status in Status::ALL {
            assert_eq!(
                Status::from_national_code(status.national_code()),
                Some(status)
            );
        }
        assert_eq!(Status::from_national_code(0), None);
        assert_eq!(Status::from_national_code(11), None);
    }

    #[test]
    fn codes_are_one_to_ten_in_order() {
        let codes: Vec<u8> = Status::ALL.iter().map(|s| s.national_code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<u8>>());
    }
}
