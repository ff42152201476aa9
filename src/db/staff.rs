//! Staff accounts for the pages, and their sign-in sessions.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::{staff_sessions, staff_users};
use super::{naive, try_insert, DbConnection};
use crate::domain::Role;
use crate::error::AppError;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_users)]
pub struct StaffRow {
    pub id: String,
    pub username: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: chrono::NaiveDateTime,
    pub disabled_at: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: chrono::NaiveDateTime,
    pub expires_at: chrono::NaiveDateTime,
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 32 random bytes as hex: session tokens and CSRF tokens.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| AppError::Internal(format!("a password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Creates a user; 409 when the username is taken.
pub fn create_user(
    conn: &mut DbConnection,
    username: &str,
    role: Role,
    password: &str,
    now: DateTime<Utc>,
) -> Result<StaffRow, AppError> {
    let row = StaffRow {
        id: uuid::Uuid::now_v7().to_string(),
        username: username.to_string(),
        role: role.as_str().to_string(),
        password_hash: hash_password(password)?,
        created_at: naive(now),
        disabled_at: None,
    };
    let created = try_insert(conn, |c| {
        diesel::insert_into(staff_users::table)
            .values(&row)
            .execute(c)
    })?;
    if !created {
        return Err(AppError::Conflict(format!(
            "the username {username:?} is taken"
        )));
    }
    Ok(row)
}

/// The user called `username`, if there is one.
pub fn find_user(conn: &mut DbConnection, username: &str) -> Result<Option<StaffRow>, AppError> {
    Ok(staff_users::table
        .filter(staff_users::username.eq(username))
        .select(StaffRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The user if the password is theirs (and they are not disabled). The hash is always
/// checked, so a wrong username and a wrong password take the same time. Slow on
/// purpose (argon2): callers run it off the async executor and off database
/// connections.
pub fn check_password(user: Option<StaffRow>, password: &str) -> Option<StaffRow> {
    // A real hash to check against when the username is unknown.
    static DECOY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not anyone's password").unwrap_or_default());
    let stored = user
        .as_ref()
        .map_or(DECOY.as_str(), |u| u.password_hash.as_str());
    let matches = password_matches(password, stored);
    user.filter(|u| matches && u.disabled_at.is_none())
}

/// Starts a session: the cookie token (returned once, stored hashed) and its CSRF token.
pub fn start_session(
    conn: &mut DbConnection,
    user_id: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(String, String), AppError> {
    let token = random_token();
    let csrf = random_token();
    diesel::insert_into(staff_sessions::table)
        .values(&SessionRow {
            token_hash: hash_token(&token),
            user_id: user_id.to_string(),
            csrf_token: csrf.clone(),
            created_at: naive(now),
            expires_at: naive(expires_at),
        })
        .execute(conn)?;
    Ok((token, csrf))
}

/// The session's user and CSRF token, if the session is live.
pub fn session(
    conn: &mut DbConnection,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(StaffRow, SessionRow)>, AppError> {
    Ok(staff_sessions::table
        .inner_join(staff_users::table)
        .filter(staff_sessions::token_hash.eq(hash_token(token)))
        .filter(staff_sessions::expires_at.gt(naive(now)))
        .filter(staff_users::disabled_at.is_null())
        .select((StaffRow::as_select(), SessionRow::as_select()))
        .get_result(conn)
        .optional()?)
}

pub fn end_session(conn: &mut DbConnection, token: &str) -> Result<(), AppError> {
    diesel::delete(staff_sessions::table.find(hash_token(token))).execute(conn)?;
    Ok(())
}
