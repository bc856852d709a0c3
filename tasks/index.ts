/** Every Hardhat task of the project; imported by hardhat.config.ts. */
import "./deploy";
import "./keys";
import "./node";
import "./rewards";
import "./roles";
import "./local";
import "./explorer";
import "./help";
import "./network";
