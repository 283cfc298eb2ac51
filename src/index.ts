export { default } from "./worker";
