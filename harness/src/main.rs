fn main() {
    println!("dictas");
}
